import type { AppDatabase } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import { recordAudit } from '../repositories/audit';
import {
	findOriginalBySha256,
	insertEvidence,
	organisationHoldsContent
} from '../repositories/evidence';
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
}

/** Whether `actor` may add evidence to the finding now (a Refusal otherwise), before any byte is stored. */
export function checkEvidenceUpload(db: AppDatabase, actor: Actor, findingId: string) {
	return db.inTenant(scopeOf(actor), async (tx) => {
		await findingOpenToEvidence(tx, actor, findingId);
	});
}

/** The subject an uploaded file is evidence of: a finding, or an obligation's due item. */
export type EvidenceSubject =
	{ kind: 'finding'; id: string } | { kind: 'obligation_due_item'; id: string };

/** Whether `actor` may add evidence to the subject now (a Refusal otherwise). */
export function checkEvidenceUploadTo(db: AppDatabase, actor: Actor, subject: EvidenceSubject) {
	if (subject.kind === 'finding') return checkEvidenceUpload(db, actor, subject.id);
	return db.inTenant(scopeOf(actor), async (tx) => {
		await dueItemOpenToEvidence(tx, actor, subject.id);
	});
}

/** recordEvidence for either subject, with the same checks, rows and audit. */
export function recordEvidenceOf(
	db: AppDatabase,
	actor: Actor,
	subject: EvidenceSubject,
	inspected: Inspected,
	file: EvidenceFileFacts
): Promise<{ id: string; duplicate: boolean }> {
	if (subject.kind === 'finding') return recordEvidence(db, actor, subject.id, inspected, file);
	const { staged, detectedType } = inspected;
	return db.inTenant(scopeOf(actor), async (tx) => {
		const item = await dueItemOpenToEvidence(tx, actor, subject.id);
		const duplicateOfId = await findOriginalBySha256(tx, staged.sha256);
		const id = await insertEvidence(tx, {
			tenantId: actor.tenantId,
			findingId: null,
			obligationDueItemId: item.id,
			sha256: staged.sha256,
			sizeBytes: staged.size,
			declaredType: file.declaredType,
			detectedType,
			originalName: file.name,
			uploadedBy: actor.userId,
			effectiveFrom: file.effectiveFrom,
			duplicateOfId
		});
		await recordAudit(tx, {
			tenantId: actor.tenantId,
			actorUserId: actor.userId,
			action: 'evidence.upload',
			entityType: 'obligation_due_item',
			entityId: item.id,
			after: {
				evidence_id: id,
				original_name: file.name,
				size_bytes: staged.size,
				sha256: staged.sha256,
				detected_type: detectedType,
				effective_from: file.effectiveFrom,
				duplicate_of_id: duplicateOfId
			}
		});
		await staged.keep();
		return { id, duplicate: duplicateOfId !== null };
	});
}

/**
 * The row and audit entry of one staged file. The content is moved into the store last: a
 * failure before it rolls the row back and leaves nothing stored. Content already held by the
 * body is recorded as a duplicate pointing at the first copy; `duplicate` tells the uploader only
 * of copies their own organisation holds.
 */
export function recordEvidence(
	db: AppDatabase,
	actor: Actor,
	findingId: string,
	{ staged, detectedType }: Inspected,
	file: EvidenceFileFacts
): Promise<{ id: string; duplicate: boolean }> {
	return db.inTenant(scopeOf(actor), async (tx) => {
		const finding = await findingOpenToEvidence(tx, actor, findingId);
		const duplicateOfId = await findOriginalBySha256(tx, staged.sha256);
		// The row points to the tenant-wide original (reviewers see every copy), but the uploader
		// hears only of their own organisation's files (issue 8 item 17).
		const duplicate =
			duplicateOfId !== null &&
			(await organisationHoldsContent(tx, finding.organisation_id, staged.sha256));
		const id = await insertEvidence(tx, {
			tenantId: actor.tenantId,
			findingId: finding.id,
			sha256: staged.sha256,
			sizeBytes: staged.size,
			declaredType: file.declaredType,
			detectedType,
			originalName: file.name,
			uploadedBy: actor.userId,
			effectiveFrom: file.effectiveFrom,
			duplicateOfId
		});
		await recordAudit(tx, {
			tenantId: actor.tenantId,
			actorUserId: actor.userId,
			action: 'evidence.upload',
			entityType: 'finding',
			entityId: finding.id,
			after: {
				evidence_id: id,
				original_name: file.name,
				size_bytes: staged.size,
				sha256: staged.sha256,
				detected_type: detectedType,
				effective_from: file.effectiveFrom,
				duplicate_of_id: duplicateOfId
			}
		});
		await staged.keep();
		return { id, duplicate };
	});
}
