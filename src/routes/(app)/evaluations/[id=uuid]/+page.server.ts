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
import { getServiceSystem } from '$lib/server/services/service-system';
import { complaintOfEvaluation } from '$lib/server/services/complaints';
import { keepingTeam } from '../team-form';
import { mayEver } from '$lib/server/domain/permissions';
import { getEvaluationScoring, recordScores } from '$lib/server/services/scoring';
import { recordScoresSchema } from '$lib/server/services/scoring.schema';

export const load = pageLoad('evaluation.view', async ({ db, actor, event: { params } }) => {
	const detail = await getEvaluation(db, actor, params.id);
	const [timeline, people, service, complaint, scoring] = await Promise.all([
		// The audit trail is the body's: an organisation's users read the evaluation, not its log.
		detail.readOnly ? Promise.resolve([]) : entityTimeline(db, actor, 'evaluation', params.id),
		detail.mayEditPlan ? teamCandidates(db, actor) : Promise.resolve([]),
		// What the evaluator checks: the evaluated organisation's service system (issue 12 item 5).
		getServiceSystem(db, actor, { organisationId: detail.evaluation.organisation_id }),
		// A special evaluation opened from a complaint links back to it (issue 13 item 4).
		detail.evaluation.complaint_id ? complaintOfEvaluation(db, actor, params.id) : null,
		// The scoring sheet is the body's working paper (issue 12 item 2), not shown to the organisation.
		detail.readOnly ? null : getEvaluationScoring(db, actor, params.id)
	]);
	const { evaluation } = detail;
	return {
		...detail,
		timeline,
		people,
		service,
		complaint,
		scoring,
		/** An initial evaluation whose report is out and no certificate yet: its grant is due. */
		awaitsGrant:
			evaluation.kind === 'initial' &&
			!evaluation.certificate_id &&
			(evaluation.status === 'report_issued' || evaluation.status === 'closed'),
		mayGrant: mayEver(actor, 'certificate.decide')
	};
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
