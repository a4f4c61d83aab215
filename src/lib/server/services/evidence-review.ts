import type { AppDatabase, Tx } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import { notFound, Refusal } from '../errors';
import {
	findEvidence,
	hasLiveSuccessor,
	markEvidenceRemoved,
	setEvidenceVerdict
} from '../repositories/evidence';
import { findOpenSubmission } from '../repositories/responses';
import { auditAs } from './audit-entry';
import { authorize } from './authorize';
import { findingSubject, loadVisibleFinding } from './finding-access';
import type { ReviewEvidenceFileInput, RemoveEvidenceFileInput } from './evidence-review.schema';

/*
 * One evidence file at a time (issue 10 defect 9): the reviewer's verdict on it, beside the
 * verdict on the whole submission (finding-workflow.ts reviewEvidence, which stays the step that
 * closes the finding or sends it back), and the organisation taking back a file it uploaded by
 * mistake before submitting it. Each locks the finding, as the life cycle's steps do, so a verdict
 * never lands on a submission judged meanwhile nor a removal on a file submitted meanwhile.
 *
 * Refusals: NOT_FOUND for a file the actor may not see (another tenant, another organisation, a
 * removed file, a file of another finding than the one named); FORBIDDEN for the wrong side or an
 * evaluator off the evaluation's team; CONFLICT when the file is not (or no longer) in the state
 * the step needs.
 */

/** The file, on the finding named, with that finding locked: if the actor may see both. */
async function loadFileOfFinding(tx: Tx, actor: Actor, findingId: string, evidenceId: string) {
	const file = await findEvidence(tx, evidenceId);
	if (!file || file.finding_id !== findingId) throw notFound();
	const finding = await loadVisibleFinding(tx, actor, findingId, { forUpdate: true });
	return { file, finding };
}

export function reviewEvidenceFile(db: AppDatabase, actor: Actor, input: ReviewEvidenceFileInput) {
	return db.inTenant(scopeOf(actor), async (tx) => {
		const { file, finding } = await loadFileOfFinding(tx, actor, input.findingId, input.evidenceId);
		authorize(actor, 'evidence.reviewFile', findingSubject(finding));
		if (!file.submission_id) throw new Refusal('CONFLICT', 'evidence_review_not_submitted');
		// Files of an earlier submission keep the verdicts they had when it was judged.
		const open = await findOpenSubmission(tx, finding.id);
		if (open?.id !== file.submission_id)
			throw new Refusal('CONFLICT', 'evidence_review_submission_judged');
		const note = input.note || null;
		const row = await setEvidenceVerdict(tx, file.id, {
			verdict: input.verdict,
			note,
			by: actor.userId
		});
		await auditAs(tx, actor, 'evidence.review', 'finding', finding.id, {
			before: file.review_verdict
				? { evidence_id: file.id, file_verdict: file.review_verdict, note: file.review_note }
				: undefined,
			after: {
				evidence_id: file.id,
				original_name: file.original_name,
				file_verdict: input.verdict,
				note
			}
		});
		return { id: row.id, verdict: input.verdict, note };
	});
}

export function removeEvidenceFile(db: AppDatabase, actor: Actor, input: RemoveEvidenceFileInput) {
	return db.inTenant(scopeOf(actor), async (tx) => {
		const { file, finding } = await loadFileOfFinding(tx, actor, input.findingId, input.evidenceId);
		authorize(actor, 'evidence.remove', { organisationId: finding.organisation_id });
		if (file.submission_id) throw new Refusal('CONFLICT', 'evidence_remove_submitted');
		// An earlier version stays as the history of the file that replaced it (issue 12 item 9).
		if (await hasLiveSuccessor(tx, file.id))
			throw new Refusal('CONFLICT', 'evidence_remove_superseded');
		if (!(await markEvidenceRemoved(tx, file.id, actor.userId)))
			throw new Refusal('CONFLICT', 'evidence_remove_submitted');
		await auditAs(tx, actor, 'evidence.remove', 'finding', finding.id, {
			before: {
				evidence_id: file.id,
				original_name: file.original_name,
				sha256: file.sha256,
				size_bytes: Number(file.size_bytes)
			}
		});
		return { id: file.id };
	});
}
