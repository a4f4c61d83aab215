import { byId, capabilityProcedure, router, service } from '../init';
import * as evaluations from '../../services/evaluations';
import {
	evaluationStepSchema,
	getEvaluationSchema,
	listEvaluationsSchema,
	planEvaluationSchema,
	updatePlanSchema
} from '../../services/evaluations.schema';

/* Evaluations (SPEC §3): the role gate here, the team and status rules in the service. */

/** The steps of a running evaluation: each takes the evaluation and the version it was read at. */
function step(run: typeof evaluations.startEvaluation) {
	return service('evaluation.run', evaluationStepSchema).mutation((db, actor, { id, version }) =>
		run(db, actor, id, version)
	);
}

export const evaluationsRouter = router({
	list: service('evaluation.read', listEvaluationsSchema).query(evaluations.listEvaluations),
	get: service('evaluation.read', getEvaluationSchema).query(byId(evaluations.getEvaluation)),
	planningChoices: capabilityProcedure('evaluation.plan').query(({ ctx }) =>
		evaluations.planningChoices(ctx.app.db, ctx.actor)
	),
	plan: service('evaluation.plan', planEvaluationSchema).mutation(evaluations.planEvaluation),
	updatePlan: service('evaluation.run', updatePlanSchema).mutation((db, actor, input) =>
		evaluations.updateEvaluationPlan(db, actor, input.id, input.version, input)
	),
	start: step(evaluations.startEvaluation),
	issueReport: step(evaluations.issueEvaluationReport),
	close: step(evaluations.closeEvaluation)
});
