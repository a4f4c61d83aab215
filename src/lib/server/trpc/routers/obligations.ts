import { capabilityProcedure, memberProcedure, router } from '../init';
import * as obligations from '../../services/obligations';
import {
	createObligationInput,
	listDueItemsInput,
	raiseDueItemFindingInput,
	reviewDueItemInput,
	submitDueItemInput,
	updateObligationInput
} from '../../services/obligations.schema';

/*
 * Recurring obligations (issue 7 §3) over tRPC: the same schemas and services as the obligations
 * page's form actions. Both sides list and submit through member procedures; the services decide
 * the side (NOT_FOUND for another organisation's item, FORBIDDEN for the wrong side).
 */

export const obligationsRouter = router({
	list: memberProcedure
		.input(listDueItemsInput)
		.query(({ ctx, input }) => obligations.listObligationPage(ctx.app.db, ctx.actor, input)),

	submit: memberProcedure
		.input(submitDueItemInput)
		.mutation(({ ctx, input }) => obligations.submitDueItem(ctx.app.db, ctx.actor, input)),

	review: capabilityProcedure('obligation.review')
		.input(reviewDueItemInput)
		.mutation(({ ctx, input }) => obligations.reviewDueItem(ctx.app.db, ctx.actor, input)),

	raiseAsFinding: capabilityProcedure('obligation.raiseFinding')
		.input(raiseDueItemFindingInput)
		.mutation(({ ctx, input }) => obligations.raiseDueItemAsFinding(ctx.app.db, ctx.actor, input)),

	create: capabilityProcedure('obligation.manage')
		.input(createObligationInput)
		.mutation(({ ctx, input }) => obligations.createObligation(ctx.app.db, ctx.actor, input)),

	update: capabilityProcedure('obligation.manage')
		.input(updateObligationInput)
		.mutation(({ ctx, input }) => obligations.updateObligation(ctx.app.db, ctx.actor, input))
});
