import { raiseFindingInput } from '$lib/server/services/findings.schema';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { submitForm } from '$lib/server/forms';
import { formAction, pageLoad } from '$lib/server/pages';
import {
	getEvaluation,
	takeEvaluationStep,
	teamCandidates,
	updateEvaluationPlan
} from '$lib/server/services/evaluations';
import { takeStepSchema, updatePlanSchema } from '$lib/server/services/evaluations.schema';
import { raiseFinding } from '$lib/server/services/findings';
import { entityTimeline } from '$lib/server/services/timeline';
import { keepingTeam } from '../team-form';
import { getEvaluationScoring, recordScores } from '$lib/server/services/scoring';
import { recordScoresSchema } from '$lib/server/services/scoring.schema';

export const load = pageLoad('evaluation.read', async ({ db, actor, event: { params } }) => {
	const detail = await getEvaluation(db, actor, params.id);
	const [timeline, people, scoring] = await Promise.all([
		entityTimeline(db, actor, 'evaluation', params.id),
		detail.mayEditPlan ? teamCandidates(db, actor) : Promise.resolve([]),
		getEvaluationScoring(db, actor, params.id)
	]);
	return { ...detail, timeline, people, scoring };
}) satisfies PageServerLoad;

export const actions: Actions = {
	step: formAction(
		'evaluation.run',
		takeStepSchema,
		async ({ db, actor, input }) => {
			await takeEvaluationStep(db, actor, input.id, input.version, input.action);
			return { form: 'step', done: input.action };
		},
		{ form: 'step', idAs: 'id' }
	),

	record: formAction(
		'finding.record',
		raiseFindingInput,
		async ({ db, actor, input }) => {
			const finding = await raiseFinding(db, actor, input.evaluationId, input);
			return { form: 'record', recorded: finding.reference };
		},
		{ form: 'record', idAs: 'evaluationId' }
	),

	score: formAction(
		'evaluation.score',
		recordScoresSchema,
		async ({ db, actor, input }) => {
			await recordScores(db, actor, input);
			return { form: 'score', saved: true };
		},
		{ form: 'score', idAs: 'evaluationId' }
	),

	updatePlan: async ({ locals, params, request }) => {
		const actor = requireActor(locals, 'evaluation.run');
		const { db } = await runtimeApp();
		return keepingTeam(request, (request) =>
			submitForm(
				request,
				locals.locale,
				updatePlanSchema,
				async (input) => {
					await updateEvaluationPlan(db, actor, input.id, input.version, input);
					return { form: 'updatePlan', saved: true };
				},
				{ form: 'updatePlan', extra: { id: params.id } }
			)
		);
	}
};
