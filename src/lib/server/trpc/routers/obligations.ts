import { router, service } from '../init';
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
 * page's form actions. Both sides list and submit as members; the services decide the side
 * (NOT_FOUND for another organisation's item, FORBIDDEN for the wrong side).
 */

export const obligationsRouter = router({
	list: service('member', listDueItemsInput).query(obligations.listObligationPage),
	submit: service('member', submitDueItemInput).mutation(obligations.submitDueItem),
	review: service('obligation.review', reviewDueItemInput).mutation(obligations.reviewDueItem),
	raiseAsFinding: service('obligation.raiseFinding', raiseDueItemFindingInput).mutation(
		obligations.raiseDueItemAsFinding
	),
	create: service('obligation.manage', createObligationInput).mutation(
		obligations.createObligation
	),
	update: service('obligation.manage', updateObligationInput).mutation(obligations.updateObligation)
});
