import { sql } from 'kysely';
import type { Tx } from '../db/tenant-scope';
import type { EvidenceType } from '../evidence/sniff';
import { hasRow } from './query';
import { personName } from './joins';

/* Evidence files of findings: their rows (the bytes live in the content-addressed store). */

function evidenceQuery(tx: Tx) {
	return (
		tx
			.selectFrom('evidence')
			.select((eb) => [
				'evidence.id',
				'evidence.finding_id',
				'evidence.obligation_due_item_id',
				'evidence.submission_id',
				'evidence.original_name',
				'evidence.size_bytes',
				'evidence.declared_type',
				'evidence.detected_type',
				'evidence.sha256',
				'evidence.uploaded_by',
				'evidence.uploaded_at',
				'evidence.effective_from',
				'evidence.integrity_status',
				'evidence.duplicate_of_id',
				'evidence.supersedes_id',
				'evidence.review_verdict',
				'evidence.review_note',
				personName(eb, 'evidence.uploaded_by').as('uploaded_by_name')
			])
			// A file the organisation took back before submitting is no evidence of anything.
			.where('evidence.removed_at', 'is', null)
	);
}

export type EvidenceRow = Awaited<
	ReturnType<ReturnType<typeof evidenceQuery>['executeTakeFirstOrThrow']>
>;

/** The evidence files of a finding, oldest first. */
export function listEvidenceOfFinding(tx: Tx, findingId: string): Promise<EvidenceRow[]> {
	return evidenceQuery(tx)
		.where('evidence.finding_id', '=', findingId)
		.orderBy('evidence.uploaded_at')
		.orderBy('evidence.id')
		.execute();
}

export function findEvidence(tx: Tx, evidenceId: string): Promise<EvidenceRow | undefined> {
	return evidenceQuery(tx).where('evidence.id', '=', evidenceId).executeTakeFirst();
}

/** The first evidence row of the tenant with this content, if any: what a new copy points to. */
export async function findOriginalBySha256(tx: Tx, sha256: string): Promise<string | null> {
	const row = await tx
		.selectFrom('evidence')
		.select('id')
		.where('sha256', '=', sha256)
		.where('duplicate_of_id', 'is', null)
		.where('removed_at', 'is', null)
		.orderBy('uploaded_at')
		.orderBy('id')
		.limit(1)
		.executeTakeFirst();
	return row?.id ?? null;
}

/**
 * Whether the organisation already holds evidence with this content (on any of its findings):
 * what its uploader may be told, where the tenant-wide original would speak of other
 * organisations' files.
 */
export async function organisationHoldsContent(
	tx: Tx,
	organisationId: string,
	sha256: string
): Promise<boolean> {
	return hasRow(
		tx
			.selectFrom('evidence')
			.innerJoin('findings', 'findings.id', 'evidence.finding_id')
			.innerJoin('evaluations', 'evaluations.id', 'findings.evaluation_id')
			.select('evidence.id')
			.where('evidence.sha256', '=', sha256)
			.where('evidence.removed_at', 'is', null)
			.where('evaluations.organisation_id', '=', organisationId)
	);
}

export interface NewEvidence {
	tenantId: string;
	/** Exactly one subject: a finding, or a recurring obligation's due item. */
	findingId: string | null;
	obligationDueItemId?: string | null;
	sha256: string;
	sizeBytes: number;
	declaredType: string;
	detectedType: EvidenceType;
	originalName: string;
	uploadedBy: string;
	effectiveFrom: string;
	duplicateOfId: string | null;
	/** The earlier file of the same finding this one is the next version of (issue 12 item 9). */
	supersedesId?: string | null;
}

export async function insertEvidence(tx: Tx, evidence: NewEvidence): Promise<string> {
	const row = await tx
		.insertInto('evidence')
		.values({
			tenant_id: evidence.tenantId,
			finding_id: evidence.findingId,
			obligation_due_item_id: evidence.obligationDueItemId ?? null,
			sha256: evidence.sha256,
			size_bytes: evidence.sizeBytes,
			declared_type: evidence.declaredType,
			detected_type: evidence.detectedType,
			original_name: evidence.originalName,
			uploaded_by: evidence.uploadedBy,
			effective_from: evidence.effectiveFrom,
			// The evidence.verify job re-reads the stored bytes and records what it finds.
			integrity_status: 'pending',
			duplicate_of_id: evidence.duplicateOfId,
			supersedes_id: evidence.supersedesId ?? null
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	return row.id;
}

/** One file's review verdict, replacing the one it had (the audit entry keeps that). */
export function setEvidenceVerdict(
	tx: Tx,
	evidenceId: string,
	verdict: { verdict: 'accepted' | 'rejected'; note: string | null; by: string }
) {
	return tx
		.updateTable('evidence')
		.set({
			review_verdict: verdict.verdict,
			review_note: verdict.note,
			reviewed_by: verdict.by,
			reviewed_at: sql<Date>`now()`
		})
		.where('id', '=', evidenceId)
		.returning(['id', 'review_verdict', 'review_note', 'reviewed_at'])
		.executeTakeFirstOrThrow();
}

/**
 * Marks a file not yet submitted as removed; false when it was submitted (or removed) meanwhile.
 * The row stays for its audit trail and the copies that point at it; the bytes stay in the
 * content-addressed store, which other rows of the same content share.
 */
export async function markEvidenceRemoved(tx: Tx, evidenceId: string, by: string) {
	const row = await tx
		.updateTable('evidence')
		.set({ removed_at: sql<Date>`now()`, removed_by: by })
		.where('id', '=', evidenceId)
		.where('submission_id', 'is', null)
		.where('removed_at', 'is', null)
		.returning('id')
		.executeTakeFirst();
	return row !== undefined;
}

/**
 * Whether a live file (not taken back) already supersedes this one: then it is an earlier
 * version, no longer the current one, and cannot be replaced again.
 */
export function hasLiveSuccessor(tx: Tx, evidenceId: string): Promise<boolean> {
	return hasRow(
		tx
			.selectFrom('evidence')
			.select('evidence.id')
			.where('evidence.supersedes_id', '=', evidenceId)
			.where('evidence.removed_at', 'is', null)
	);
}
