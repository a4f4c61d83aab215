import { capabilityProcedure, router } from '../init';
import * as findings from '../../services/findings';
import {
	changeDueInput,
	findingListInput,
	raiseFindingInput,
	updateFindingInput
} from '../../services/findings.schema';

/* Recording findings, moving their due dates, and the body's finding list. */

export const findingsRouter = router({
	/** One keyset page of the tenant's findings; pass the previous page's `next` as `cursor`. */
	list: capabilityProcedure('finding.list')
		.input(findingListInput)
		.query(({ ctx, input }) => {
			const { cursor, ...filter } = input;
			return findings.listFindings(ctx.app.db, ctx.actor, filter, cursor ?? null);
		}),

	raise: capabilityProcedure('finding.record')
		.input(raiseFindingInput)
		.mutation(({ ctx, input }) =>
			findings.raiseFinding(ctx.app.db, ctx.actor, input.evaluationId, input)
		),

	update: capabilityProcedure('finding.record')
		.input(updateFindingInput)
		.mutation(({ ctx, input }) =>
			findings.updateFinding(ctx.app.db, ctx.actor, input.id, input.version, {
				statement: input.statement,
				objectiveEvidence: input.objectiveEvidence,
				clauseId: input.clauseId ?? null
			})
		),

	changeDue: capabilityProcedure('finding.changeDue')
		.input(changeDueInput)
		.mutation(({ ctx, input }) =>
			findings.changeFindingDueDate(ctx.app.db, ctx.actor, input.id, input.version, input)
		)
});
