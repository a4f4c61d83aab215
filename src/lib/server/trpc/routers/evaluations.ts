import { capabilityProcedure, router } from '../init';
import * as evaluations from '../../services/evaluations';
import {
	evaluationStepSchema,
	getEvaluationSchema,
	listEvaluationsSchema,
	planEvaluationSchema,
	updatePlanSchema
} from '../../services/evaluations.schema';

/* Evaluations (SPEC §3): the role gate here, the team and status rules in the service. */

export const evaluationsRouter = router({
	list: capabilityProcedure('evaluation.read')
		.input(listEvaluationsSchema)
		.query(({ ctx, input }) => evaluations.listEvaluations(ctx.app.db, ctx.actor, input)),

	get: capabilityProcedure('evaluation.read')
		.input(getEvaluationSchema)
		.query(({ ctx, input }) => evaluations.getEvaluation(ctx.app.db, ctx.actor, input.id)),

	planningChoices: capabilityProcedure('evaluation.plan').query(({ ctx }) =>
		evaluations.planningChoices(ctx.app.db, ctx.actor)
	),

	plan: capabilityProcedure('evaluation.plan')
		.input(planEvaluationSchema)
		.mutation(({ ctx, input }) => evaluations.planEvaluation(ctx.app.db, ctx.actor, input)),

	updatePlan: capabilityProcedure('evaluation.run')
		.input(updatePlanSchema)
		.mutation(({ ctx, input }) =>
			evaluations.updateEvaluationPlan(ctx.app.db, ctx.actor, input.id, input.version, input)
		),

	start: capabilityProcedure('evaluation.run')
		.input(evaluationStepSchema)
		.mutation(({ ctx, input }) =>
			evaluations.startEvaluation(ctx.app.db, ctx.actor, input.id, input.version)
		),

	issueReport: capabilityProcedure('evaluation.run')
		.input(evaluationStepSchema)
		.mutation(({ ctx, input }) =>
			evaluations.issueEvaluationReport(ctx.app.db, ctx.actor, input.id, input.version)
		),

	close: capabilityProcedure('evaluation.run')
		.input(evaluationStepSchema)
		.mutation(({ ctx, input }) =>
			evaluations.closeEvaluation(ctx.app.db, ctx.actor, input.id, input.version)
		)
});
