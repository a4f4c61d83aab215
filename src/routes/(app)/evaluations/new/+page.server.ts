import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { pageLoad } from '$lib/server/pages';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { submitForm } from '$lib/server/forms';
import { planEvaluation, planningChoices } from '$lib/server/services/evaluations';
import { EVALUATION_KINDS, planEvaluationSchema } from '$lib/server/services/evaluations.schema';
import { keepingTeam } from '../team-form';

export const load = pageLoad('evaluation.plan', async ({ db, actor }) => {
	const choices = await planningChoices(db, actor);
	return { ...choices, kinds: EVALUATION_KINDS, actorId: actor.userId };
}) satisfies PageServerLoad;

export const actions: Actions = {
	plan: async ({ locals, request }) => {
		const actor = requireActor(locals, 'evaluation.plan');
		const { db } = await runtimeApp();
		const result = await keepingTeam(request, (request) =>
			submitForm(request, locals.locale, planEvaluationSchema, (input) =>
				planEvaluation(db, actor, input)
			)
		);
		if ('id' in result) redirect(303, `/evaluations/${result.id}`);
		return result;
	}
};
