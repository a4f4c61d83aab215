import { z } from 'zod';
import { memberProcedure, organisationProcedure, router, staffProcedure } from '../init';
import { id, requiredText, version } from '../inputs';
import { isIsoDate } from '../../domain/calendar';
import * as workflow from '../../services/finding-workflow';
import { getFindingDetail } from '../../services/finding-detail';
import { listMyActions } from '../../services/my-actions';

/*
 * The nonconformity life cycle (SPEC §4) over tRPC. Both sides call the same procedures; the
 * services ask the life cycle who may take each step (FORBIDDEN for the wrong side, NOT_FOUND for
 * a finding the actor may not see, CONFLICT for the wrong status or a stale version).
 */

const isoDate = z
	.string()
	.trim()
	.min(1, { error: 'error_required' })
	.refine(isIsoDate, { error: 'findings_date_invalid' });

const step = { findingId: id, version };
const comment = z.string().trim().max(4000, { error: 'error_too_long' }).default('');

export const responseInput = z.object({
	...step,
	correction: requiredText(4000),
	rootCause: requiredText(4000),
	correctiveAction: requiredText(4000),
	owner: requiredText(200),
	targetOn: isoDate
});

export const reviewResponseInput = z.object({
	...step,
	verdict: z.enum(['accept', 'reject'], { error: 'findings_verdict_invalid' }),
	comment
});

export const submitEvidenceInput = z.object({
	...step,
	note: z.string().trim().max(4000, { error: 'error_too_long' }).default('')
});

export const reviewEvidenceInput = z.object({
	...step,
	verdict: z.enum(['verify_effective', 'reject_evidence'], { error: 'findings_verdict_invalid' }),
	comment
});

export const followUpInput = z.object({ ...step, followUpOn: isoDate });

export const workflowRouter = router({
	detail: memberProcedure
		.input(z.object({ id }))
		.query(({ ctx, input }) => getFindingDetail(ctx.app.db, ctx.actor, input.id)),

	myActions: organisationProcedure.query(({ ctx }) => listMyActions(ctx.app.db, ctx.actor)),

	submitResponse: memberProcedure
		.input(responseInput)
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

	setFollowUpCheck: staffProcedure('admin', 'evaluator')
		.input(followUpInput)
		.mutation(({ ctx, input }) => workflow.setFollowUpCheck(ctx.app.db, ctx.actor, input))
});
