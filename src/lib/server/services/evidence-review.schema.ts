import { z } from 'zod';
import { id, text } from './common.schema';

/*
 * The inputs of the reviewer's verdict on one evidence file and of the organisation taking back a
 * file it has not submitted (issue 10 defect 9). The finding page's forms post them (the route adds
 * `findingId`), as do the tRPC procedures.
 */

export const reviewEvidenceFileInput = z
	.object({
		findingId: id,
		evidenceId: id,
		verdict: z.enum(['accepted', 'rejected'], { error: 'evidence_review_verdict_invalid' }),
		note: text(2000).default('')
	})
	// A file sent back must say why, as a whole submission sent back does.
	.refine((input) => input.verdict !== 'rejected' || input.note !== '', {
		path: ['note'],
		error: 'evidence_review_note_required'
	});
export type ReviewEvidenceFileInput = z.output<typeof reviewEvidenceFileInput>;

export const removeEvidenceFileInput = z.object({ findingId: id, evidenceId: id });
export type RemoveEvidenceFileInput = z.output<typeof removeEvidenceFileInput>;
