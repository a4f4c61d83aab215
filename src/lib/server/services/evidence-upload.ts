import type { AppDatabase, Tx } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import { auditAs } from './audit-entry';
import {
	findEvidence,
	findOriginalBySha256,
	hasLiveSuccessor,
	insertEvidence,
	organisationHoldsContent
} from '../repositories/evidence';
import { badInput, notFound, Refusal } from '../errors';
import type { Inspected } from '../evidence/inspect';
import { findingOpenToEvidence } from './evidence';
import { dueItemOpenToEvidence } from './obligations';

/*
 * Recording one uploaded evidence file (issue #3 item 5): its row and audit entry in one tenant
 * transaction that re-checks, under a lock on the finding, that evidence may still be added.
 * The streaming itself (src/lib/server/evidence/upload.ts) has already staged the bytes.
 */

export interface EvidenceFileFacts {
	/** The file's name as stored (sanitised). */
	name: string;
	/** The type the browser declared, kept for the record only. */
	declaredType: string;
	/** 'YYYY-MM-DD': the day the evidence is effective from. */
	effectiveFrom: string;
	/** The earlier file this one replaces as its next version (issue 12 item 9), if any. */
	supersedesId?: string | null;
}

/** The subject an uploaded file is evidence of: a finding, or an obligation's due item. */
export type EvidenceSubject =
	{ kind: 'finding'; id: string } | { kind: 'obligation_due_item'; id: string };

/**
 * The one check both subjects pass (a Refusal otherwise), and what the evidence row and audit
 * entry need of the subject. `duplicateShown` decides what the uploader hears of a copy the body
 * already holds: for a finding only of its own organisation's files (issue 8 item 17).
 */
async function openSubject(tx: Tx, actor: Actor, subject: EvidenceSubject) {
	if (subject.kind === 'finding') {
		const finding = await findingOpenToEvidence(tx, actor, subject.id);
		return {
			entityId: finding.id,
			findingId: finding.id,
			obligationDueItemId: null,
			duplicateShown: (sha256: string) =>
				organisationHoldsContent(tx, finding.organisation_id, sha256)
		};
	}
	const item = await dueItemOpenToEvidence(tx, actor, subject.id);
	return {
		entityId: item.id,
		findingId: null,
		obligationDueItemId: item.id,
		duplicateShown: async () => true
	};
}

/**
 * The file a new upload replaces (issue 12 item 9): a live file of the same finding, and its
 * current version (a file already replaced is an earlier version; its successor is the one to
 * replace). Another finding's file, another tenant's (invisible under RLS), a removed one: not
 * found. The finding is locked by openSubject, so two replacements of one file never both pass;
 * the unique index evidence_one_successor_key backs that.
 */
async function replaceableFile(tx: Tx, subject: EvidenceSubject, supersedesId: string) {
	if (subject.kind !== 'finding') throw badInput('supersedes', 'evidence_replace_findings_only');
	const earlier = await findEvidence(tx, supersedesId);
	if (!earlier || earlier.finding_id !== subject.id) throw notFound('evidence_replace_not_found');
	if (await hasLiveSuccessor(tx, earlier.id))
		throw new Refusal('CONFLICT', 'evidence_replace_not_current');
	return earlier;
}

/** Whether `actor` may add evidence to the subject now (a Refusal otherwise), before any byte is stored. */
export function checkEvidenceUploadTo(
	db: AppDatabase,
	actor: Actor,
	subject: EvidenceSubject,
	supersedesId: string | null = null
) {
	return db.inTenant(scopeOf(actor), async (tx) => {
		await openSubject(tx, actor, subject);
		if (supersedesId) await replaceableFile(tx, subject, supersedesId);
	});
}

/**
 * The row and audit entry of one staged file. The content is moved into the store last: a
 * failure before it rolls the row back and leaves nothing stored. Content already held by the
 * body is recorded as a duplicate pointing at the tenant-wide first copy (reviewers see every
 * copy).
 */
export function recordEvidenceOf(
	db: AppDatabase,
	actor: Actor,
	subject: EvidenceSubject,
	{ staged, detectedType }: Inspected,
	file: EvidenceFileFacts
): Promise<{ id: string; duplicate: boolean }> {
	return db.inTenant(scopeOf(actor), async (tx) => {
		const open = await openSubject(tx, actor, subject);
		const earlier = file.supersedesId
			? await replaceableFile(tx, subject, file.supersedesId)
			: null;
		const duplicateOfId = await findOriginalBySha256(tx, staged.sha256);
		const duplicate = duplicateOfId !== null && (await open.duplicateShown(staged.sha256));
		const id = await insertEvidence(tx, {
			tenantId: actor.tenantId,
			findingId: open.findingId,
			obligationDueItemId: open.obligationDueItemId,
			sha256: staged.sha256,
			sizeBytes: staged.size,
			declaredType: file.declaredType,
			detectedType,
			originalName: file.name,
			uploadedBy: actor.userId,
			effectiveFrom: file.effectiveFrom,
			duplicateOfId,
			supersedesId: earlier?.id ?? null
		});
		await auditAs(tx, actor, 'evidence.upload', subject.kind, open.entityId, {
			after: {
				evidence_id: id,
				original_name: file.name,
				size_bytes: staged.size,
				sha256: staged.sha256,
				detected_type: detectedType,
				effective_from: file.effectiveFrom,
				duplicate_of_id: duplicateOfId,
				...(earlier ? { supersedes_id: earlier.id, supersedes_name: earlier.original_name } : {})
			}
		});
		await staged.keep();
		return { id, duplicate };
	});
}
