import { z } from 'zod';
import { router, staffProcedure } from '../init';
import * as evaluations from '../../services/evaluations';
import { id, version } from '../inputs';

const isoDate = z.string().trim().min(1, { error: 'error_required' });
const kind = z.enum(['initial', 'surveillance', 'recertification', 'special'], {
	error: 'evaluations_error_kind_invalid'
});
const status = z.enum(['planned', 'in_progress', 'report_issued', 'closed'], {
	error: 'evaluations_error_status_invalid'
});
const optionalId = z.uuid({ error: 'error_invalid_id' }).nullish();

const team = {
	teamIds: z.array(id).min(1, { error: 'evaluations_error_team_required' }),
	leadId: z.uuid({ error: 'evaluations_error_lead_required' })
};

const step = z.object({ id, version });

export const evaluationsRouter = router({
	list: staffProcedure()
		.input(z.object({ status: status.optional(), kind: kind.optional() }).default({}))
		.query(({ ctx, input }) => evaluations.listEvaluations(ctx.app.db, ctx.actor, input)),

	get: staffProcedure()
		.input(z.object({ id }))
		.query(({ ctx, input }) => evaluations.getEvaluation(ctx.app.db, ctx.actor, input.id)),

	planningChoices: staffProcedure('admin', 'evaluator').query(({ ctx }) =>
		evaluations.planningChoices(ctx.app.db, ctx.actor)
	),

	plan: staffProcedure('admin', 'evaluator')
		.input(
			z.object({
				kind,
				certificateId: optionalId,
				organisationId: optionalId,
				standardId: optionalId,
				windowStart: isoDate,
				windowEnd: isoDate,
				...team
			})
		)
		.mutation(({ ctx, input }) => evaluations.planEvaluation(ctx.app.db, ctx.actor, input)),

	updatePlan: staffProcedure('admin', 'evaluator')
		.input(z.object({ id, version, windowStart: isoDate, windowEnd: isoDate, ...team }))
		.mutation(({ ctx, input }) =>
			evaluations.updateEvaluationPlan(ctx.app.db, ctx.actor, input.id, input.version, input)
		),

	start: staffProcedure('admin', 'evaluator')
		.input(step)
		.mutation(({ ctx, input }) =>
			evaluations.startEvaluation(ctx.app.db, ctx.actor, input.id, input.version)
		),

	issueReport: staffProcedure('admin', 'evaluator')
		.input(step)
		.mutation(({ ctx, input }) =>
			evaluations.issueEvaluationReport(ctx.app.db, ctx.actor, input.id, input.version)
		),

	close: staffProcedure('admin', 'evaluator')
		.input(step)
		.mutation(({ ctx, input }) =>
			evaluations.closeEvaluation(ctx.app.db, ctx.actor, input.id, input.version)
		)
});
