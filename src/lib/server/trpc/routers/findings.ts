import { z } from 'zod';
import { router, staffProcedure } from '../init';
import * as findings from '../../services/findings';
import { id, requiredText, version } from '../inputs';

const kind = z.enum(['nonconformity', 'observation', 'opportunity'], {
	error: 'evaluations_error_kind_invalid'
});
const grade = z.enum(['major', 'minor'], { error: 'evaluations_error_grade_required' });
const status = z.enum(
	['open', 'response_submitted', 'action_in_progress', 'evidence_submitted', 'closed'],
	{ error: 'evaluations_error_status_invalid' }
);
const evidence = z.string().trim().max(10_000, { error: 'error_too_long' });
const clauseId = z.uuid({ error: 'evaluations_error_clause_unknown' }).nullish();

export const findingsRouter = router({
	/** One keyset page of the tenant's findings; pass the previous page's `next` as `cursor`. */
	list: staffProcedure()
		.input(
			z
				.object({
					status: status.optional(),
					grade: grade.optional(),
					kind: kind.optional(),
					standardId: id.optional(),
					organisationId: id.optional(),
					evaluationId: id.optional(),
					overdue: z.boolean().optional(),
					search: z.string().trim().max(200, { error: 'error_too_long' }).optional(),
					sort: z.enum(findings.FINDING_SORTS).optional(),
					cursor: z.string().max(500).nullish()
				})
				.default({})
		)
		.query(({ ctx, input }) => {
			const { cursor, ...filter } = input;
			return findings.listFindings(ctx.app.db, ctx.actor, filter, cursor ?? null);
		}),

	raise: staffProcedure('admin', 'evaluator')
		.input(
			z.object({
				evaluationId: id,
				kind,
				grade: grade.nullish(),
				clauseId,
				statement: requiredText(10_000),
				objectiveEvidence: evidence.default('')
			})
		)
		.mutation(({ ctx, input }) =>
			findings.raiseFinding(ctx.app.db, ctx.actor, input.evaluationId, input)
		),

	update: staffProcedure('admin', 'evaluator')
		.input(
			z.object({
				id,
				version,
				statement: requiredText(10_000),
				objectiveEvidence: evidence.default(''),
				clauseId
			})
		)
		.mutation(({ ctx, input }) =>
			findings.updateFinding(ctx.app.db, ctx.actor, input.id, input.version, {
				statement: input.statement,
				objectiveEvidence: input.objectiveEvidence,
				clauseId: input.clauseId ?? null
			})
		),

	changeDue: staffProcedure('admin', 'evaluator')
		.input(
			z.object({
				id,
				version,
				dueOn: z.string().trim().min(1, { error: 'error_required' }),
				reason: z
					.string()
					.trim()
					.min(1, { error: 'evaluations_error_reason_required' })
					.max(2_000, { error: 'error_too_long' })
			})
		)
		.mutation(({ ctx, input }) =>
			findings.changeFindingDueDate(ctx.app.db, ctx.actor, input.id, input.version, input)
		)
});
