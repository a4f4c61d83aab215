import { capabilityProcedure, memberProcedure, organisationProcedure, router } from '../init';
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
	detail: memberProcedure
		.input(findingDetailInput)
		.query(({ ctx, input }) => getFindingDetail(ctx.app.db, ctx.actor, input.id)),

	myActions: organisationProcedure.query(({ ctx }) => listMyActions(ctx.app.db, ctx.actor)),

	submitResponse: memberProcedure
		.input(respondInput)
		.mutation(({ ctx, input }) => workflow.submitResponse(ctx.app.db, ctx.actor, input)),

	reviewResponse: memberProcedure
		.input(reviewResponseInput)
		.mutation(({ ctx, input }) => workflow.reviewResponse(ctx.app.db, ctx.actor, input)),

	submitEvidence: memberProcedure
		.input(submitEvidenceInput)
		.mutation(({ ctx, input }) => workflow.submitEvidence(ctx.app.db, ctx.actor, input)),

	reviewEvidence: memberProcedure
		.input(reviewEvidenceInput)
		.mutation(({ ctx, input }) => workflow.reviewEvidence(ctx.app.db, ctx.actor, input)),

	setFollowUpCheck: capabilityProcedure('finding.setFollowUp')
		.input(followUpInput)
		.mutation(({ ctx, input }) => workflow.setFollowUpCheck(ctx.app.db, ctx.actor, input))
});
