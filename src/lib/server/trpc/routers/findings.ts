import { router, service } from '../init';
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
	list: service('finding.list', findingListInput).query((db, actor, { cursor, ...filter }) =>
		findings.listFindings(db, actor, filter, cursor ?? null)
	),
	raise: service('finding.record', raiseFindingInput).mutation((db, actor, input) =>
		findings.raiseFinding(db, actor, input.evaluationId, input)
	),
	update: service('finding.record', updateFindingInput).mutation((db, actor, input) =>
		findings.updateFinding(db, actor, input.id, input.version, {
			statement: input.statement,
			objectiveEvidence: input.objectiveEvidence,
			clauseId: input.clauseId ?? null
		})
	),
	changeDue: service('finding.changeDue', changeDueInput).mutation((db, actor, input) =>
		findings.changeFindingDueDate(db, actor, input.id, input.version, input)
	)
});
