import { z } from 'zod';
import { id, isoDate, requiredText, text, version } from './common.schema';

/*
 * The inputs of the nonconformity life cycle's steps (SPEC §4), one schema per step: the tRPC
 * procedure takes it, the finding page's form action parses its FormData through it (the route
 * adds `findingId`). Bounds match the columns.
 */

const step = { findingId: id, version };

/** A calendar day of the life cycle (target date, follow-up check). */
const day = isoDate('findings_date_invalid');

/** A free comment of the body's review; a rejection must say why (refined below). */
const comment = text(4000).default('');

export const findingDetailInput = z.object({ id });

export const respondInput = z.object({
	...step,
	correction: requiredText(4000),
	rootCause: requiredText(4000),
	correctiveAction: requiredText(4000),
	owner: requiredText(200),
	/** When the corrective action will be complete. */
	targetOn: day
});
export type RespondInput = z.output<typeof respondInput>;

export const reviewResponseInput = z
	.object({
		...step,
		verdict: z.enum(['accept', 'reject'], { error: 'findings_verdict_invalid' }),
		comment
	})
	.refine((input) => input.verdict !== 'reject' || input.comment !== '', {
		path: ['comment'],
		error: 'findings_reject_comment_required'
	});
export type ReviewResponseInput = z.output<typeof reviewResponseInput>;

export const submitEvidenceInput = z.object({ ...step, note: text(4000).default('') });
export type SubmitEvidenceInput = z.output<typeof submitEvidenceInput>;

export const reviewEvidenceInput = z
	.object({
		...step,
		verdict: z.enum(['verify_effective', 'reject_evidence'], {
			error: 'findings_verdict_invalid'
		}),
		comment
	})
	.refine((input) => input.verdict !== 'reject_evidence' || input.comment !== '', {
		path: ['comment'],
		error: 'findings_reject_evidence_comment_required'
	});
export type ReviewEvidenceInput = z.output<typeof reviewEvidenceInput>;

export const followUpInput = z.object({ ...step, followUpOn: day });
export type FollowUpInput = z.output<typeof followUpInput>;
