import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import {
	EVALUATION_KINDS,
	planEvaluation,
	planningChoices
} from '$lib/server/services/evaluations';
import { Refusal } from '$lib/server/errors';
import { translate } from '$lib/server/i18n/translate';
import type { EvaluationKind } from '../../../../../db/schema';

export const load: PageServerLoad = async ({ locals }) => {
	const actor = requireActor(locals, 'admin', 'evaluator');
	const choices = await planningChoices((await runtimeApp()).db, actor);
	return { ...choices, kinds: EVALUATION_KINDS, actorId: actor.userId };
};

export const actions: Actions = {
	plan: async ({ locals, request }) => {
		const actor = requireActor(locals, 'admin', 'evaluator');
		const form = await request.formData();
		const text = (name: string) => String(form.get(name) ?? '').trim();
		const values = {
			kind: text('kind'),
			certificateId: text('certificateId'),
			organisationId: text('organisationId'),
			standardId: text('standardId'),
			windowStart: text('windowStart'),
			windowEnd: text('windowEnd'),
			leadId: text('leadId'),
			teamIds: form.getAll('teamIds').map(String)
		};
		let id: string;
		try {
			const evaluation = await planEvaluation((await runtimeApp()).db, actor, {
				...values,
				kind: values.kind as EvaluationKind,
				certificateId: values.certificateId || null,
				organisationId: values.organisationId || null,
				standardId: values.standardId || null
			});
			id = evaluation.id;
		} catch (cause) {
			if (!(cause instanceof Refusal)) throw cause;
			const message = translate(cause.messageKey, locals.locale, cause.params);
			return fail(cause.kind === 'FORBIDDEN' ? 403 : 400, {
				values,
				errors: { [cause.field ?? '_']: message }
			});
		}
		redirect(303, `/evaluations/${id}`);
	}
};
