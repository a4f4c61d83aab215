import { byId, organisationProcedure, router, service } from '../init';
import * as workflow from '../../services/finding-workflow';
import { getFindingDetail } from '../../services/finding-detail';
import { listMyActions } from '../../services/my-actions';
import {
	findingDetailInput,
	followUpInput,
	respondInput,
	reviewEvidenceInput,
	reviewResponseInput,
	submitEvidenceInput
} from '../../services/finding-workflow.schema';

/*
 * The nonconformity life cycle (SPEC §4) over tRPC. Both sides call the same procedures; the
 * services ask the life cycle and the permissions who may take each step (FORBIDDEN for the wrong
 * side or an evaluator off the team, NOT_FOUND for a finding the actor may not see, CONFLICT for
 * the wrong status or a stale version).
 */

export const workflowRouter = router({
	detail: service('member', findingDetailInput).query(byId(getFindingDetail)),
	myActions: organisationProcedure.query(({ ctx }) => listMyActions(ctx.app.db, ctx.actor)),
	submitResponse: service('member', respondInput).mutation(workflow.submitResponse),
	reviewResponse: service('member', reviewResponseInput).mutation(workflow.reviewResponse),
	submitEvidence: service('member', submitEvidenceInput).mutation(workflow.submitEvidence),
	reviewEvidence: service('member', reviewEvidenceInput).mutation(workflow.reviewEvidence),
	setFollowUpCheck: service('finding.setFollowUp', followUpInput).mutation(
		workflow.setFollowUpCheck
	)
});
