import { router, service } from '../init';
import * as complaints from '../../services/complaints';
import {
	complaintStepInput,
	getComplaintInput,
	listComplaintsInput,
	openSpecialEvaluationInput
} from '../../services/complaints.schema';

/*
 * The body's side of complaints (issue 13 item 4) over tRPC: the same schemas and services as
 * the /complaints pages. Filing stays on the public pages' form, behind its per-address limit.
 */
export const complaintsRouter = router({
	list: service('complaint.read', listComplaintsInput).query((db, actor, input) =>
		complaints.listComplaintPage(db, actor, input)
	),
	get: service('complaint.read', getComplaintInput).query((db, actor, input) =>
		complaints.getComplaint(db, actor, input.id)
	),
	step: service('complaint.triage', complaintStepInput).mutation(complaints.takeComplaintStep),
	openSpecialEvaluation: service('complaint.triage', openSpecialEvaluationInput).mutation(
		complaints.openSpecialEvaluation
	)
});
