import type { Readable } from 'node:stream';
import type { AppDatabase, Tx } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import type { FindingStatus } from '../../../../db/schema';
import { can, lifecycleSide } from '../domain/permissions';
import { forbidden, notFound } from '../errors';
import { findEvidence, listEvidenceOfFinding, type EvidenceRow } from '../repositories/evidence';
import { id as uuid } from './common.schema';
import { loadVisibleFinding, type VisibleFinding } from './finding-access';
import { assertDueItemVisible } from './obligations';
import type { EvidenceStorage } from '../evidence/storage';
import { contentDisposition } from '../evidence/filename';
import { contentTypeOf } from '../evidence/sniff';

/*
 * Evidence of a finding: who may add it, who may list and download it. Uploading itself streams
 * through src/lib/server/evidence/upload.ts and is recorded by ./evidence-upload.ts, which ask
 * the same rules here.
 */

/**
 * While a finding waits on the organisation or the body's review of its plan, the organisation
 * may add evidence: evidence of the correction often exists before the plan is accepted. Once
 * submitted for verification (or closed) the set under review stays as it is.
 */
export const EVIDENCE_UPLOAD_STATUSES: readonly FindingStatus[] = [
	'open',
	'response_submitted',
	'action_in_progress'
];

/** Ids reach here from URLs: one that is no UUID names nothing (and never reaches a query). */
const isId = (value: string) => uuid.safeParse(value).success;

/** Why `actor` may not upload evidence to this (visible) finding: a message key, or null. */
export function evidenceUploadRefusal(
	actor: Pick<Actor, 'role' | 'organisationId'>,
	finding: Pick<VisibleFinding, 'kind' | 'status' | 'organisation_id' | 'reportIssued'>
): string | null {
	if (!can(actor, 'finding.answer', { organisationId: finding.organisation_id }))
		return 'evidence_upload_organisation_only';
	if (finding.kind !== 'nonconformity') return 'evidence_upload_not_nonconformity';
	if (!finding.reportIssued || !EVIDENCE_UPLOAD_STATUSES.includes(finding.status))
		return 'evidence_upload_wrong_status';
	return null;
}

/** The finding, locked, if `actor` may add evidence to it now; otherwise a Refusal. */
export async function findingOpenToEvidence(tx: Tx, actor: Actor, findingId: string) {
	if (!isId(findingId)) throw notFound();
	const finding = await loadVisibleFinding(tx, actor, findingId, { forUpdate: true });
	const refusal = evidenceUploadRefusal(actor, finding);
	if (refusal) throw forbidden(refusal);
	return finding;
}

export function evidenceDownloadPath(evidenceId: string): string {
	return `/api/evidence/file/${evidenceId}`;
}

export function evidencePreviewPath(evidenceId: string): string {
	return `/api/evidence/file/${evidenceId}/preview`;
}

/**
 * The types a browser shows inline without running anything of the file's (issue 10 defect 9):
 * images, and PDF in the browser's own viewer. By the sniffed type stored with the file, never
 * the type the uploader's browser claimed.
 */
export const PREVIEW_TYPES = [
	'image/png',
	'image/jpeg',
	'image/gif',
	'image/webp',
	'application/pdf'
] as const;

export function isPreviewable(detectedType: string): boolean {
	return (PREVIEW_TYPES as readonly string[]).includes(detectedType);
}

export interface EvidenceItem {
	id: string;
	/** Null for the evidence of a recurring obligation's due item. */
	findingId: string | null;
	submissionId: string | null;
	originalName: string;
	sizeBytes: number;
	declaredType: string;
	detectedType: string;
	sha256: string;
	uploadedBy: string;
	uploadedByName: string | null;
	uploadedAt: Date;
	effectiveFrom: string;
	integrityStatus: 'pending' | 'verified' | 'rejected';
	duplicateOfId: string | null;
	/** The earlier file this one replaced as its next version (issue 12 item 9). */
	supersedesId: string | null;
	downloadPath: string;
}

function toItem(row: EvidenceRow): EvidenceItem {
	return {
		id: row.id,
		findingId: row.finding_id,
		submissionId: row.submission_id,
		originalName: row.original_name,
		sizeBytes: Number(row.size_bytes),
		declaredType: row.declared_type,
		detectedType: row.detected_type,
		sha256: row.sha256,
		uploadedBy: row.uploaded_by,
		uploadedByName: row.uploaded_by_name,
		uploadedAt: row.uploaded_at,
		effectiveFrom: row.effective_from,
		integrityStatus: row.integrity_status,
		duplicateOfId: row.duplicate_of_id,
		supersedesId: row.supersedes_id,
		downloadPath: evidenceDownloadPath(row.id)
	};
}

/** The evidence files of a finding the actor may see, oldest first. */
export async function listFindingEvidence(
	db: AppDatabase,
	actor: Actor,
	findingId: string
): Promise<EvidenceItem[]> {
	if (!isId(findingId)) throw notFound();
	return db.inTenant(scopeOf(actor), async (tx) => {
		await loadVisibleFinding(tx, actor, findingId);
		// The original a copy points to may be another organisation's file: reviewers see the
		// link, the organisation does not (issue 8 item 17).
		const organisationSide = lifecycleSide(actor.role) === 'organisation';
		return (await listEvidenceOfFinding(tx, findingId))
			.map(toItem)
			.map((item) => (organisationSide ? { ...item, duplicateOfId: null } : item));
	});
}

/** The response headers of a download: never rendered by the browser, never cached. */
export function evidenceDownloadHeaders(
	evidence: Pick<EvidenceItem, 'originalName' | 'detectedType' | 'sizeBytes'>
): Record<string, string> {
	return {
		'content-type': contentTypeOf(evidence.detectedType),
		'content-length': String(evidence.sizeBytes),
		'content-disposition': contentDisposition(evidence.originalName),
		'x-content-type-options': 'nosniff',
		'content-security-policy': "default-src 'none'; sandbox",
		'cache-control': 'private, no-store'
	};
}

/**
 * The response headers of an inline preview. The CSP's `sandbox` gives the document an opaque
 * origin with no scripts, forms or plugins of its own: an image or PDF that carries active content
 * runs nothing on this origin. Chromium's PDF viewer still renders under it (checked in Chromium
 * 156 by tests/e2e/evidence-review.test.ts); what breaks the viewer is the iframe's `sandbox`
 * attribute, which the page therefore leaves off. Framing is allowed to this origin only (the
 * app's other answers say DENY), and nothing is cached or read by other origins.
 */
export function evidencePreviewHeaders(
	evidence: Pick<EvidenceItem, 'originalName' | 'detectedType' | 'sizeBytes'>
): Record<string, string> {
	return {
		'content-type': contentTypeOf(evidence.detectedType),
		'content-length': String(evidence.sizeBytes),
		'content-disposition': contentDisposition(evidence.originalName, 'inline'),
		'x-content-type-options': 'nosniff',
		'content-security-policy':
			"sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'",
		'x-frame-options': 'SAMEORIGIN',
		'cache-control': 'private, no-store',
		'cross-origin-resource-policy': 'same-origin'
	};
}

export interface EvidenceDownload {
	evidence: EvidenceItem;
	headers: Record<string, string>;
	stream: Readable;
}

/** The file's record, if `actor` may see its finding or its obligation's due item. */
function loadVisibleEvidence(db: AppDatabase, actor: Actor, evidenceId: string) {
	if (!isId(evidenceId)) throw notFound();
	return db.inTenant(scopeOf(actor), async (tx) => {
		const row = await findEvidence(tx, evidenceId);
		if (!row) throw notFound();
		if (row.finding_id) await loadVisibleFinding(tx, actor, row.finding_id);
		else if (row.obligation_due_item_id)
			await assertDueItemVisible(tx, actor, row.obligation_due_item_id);
		else throw notFound();
		return toItem(row);
	});
}

async function openStored(
	evidence: EvidenceItem,
	headers: Record<string, string>,
	storage: EvidenceStorage
): Promise<EvidenceDownload> {
	if (!(await storage.has(evidence.sha256))) throw notFound('evidence_file_missing');
	return { evidence, headers, stream: storage.open(evidence.sha256) };
}

/**
 * One evidence file's bytes, for whoever may see its finding (loadVisibleFinding: staff of the
 * tenant; the finding's organisation once the report is issued) or its obligation's due item.
 * Anyone else: not found.
 */
export async function openEvidenceForDownload(
	db: AppDatabase,
	actor: Actor,
	evidenceId: string,
	storage: EvidenceStorage
): Promise<EvidenceDownload> {
	const evidence = await loadVisibleEvidence(db, actor, evidenceId);
	return openStored(evidence, evidenceDownloadHeaders(evidence), storage);
}

/**
 * The same file shown inline, for the same people, if its stored type is one of PREVIEW_TYPES;
 * otherwise `unsupported` with the download to offer instead.
 */
export async function openEvidenceForPreview(
	db: AppDatabase,
	actor: Actor,
	evidenceId: string,
	storage: EvidenceStorage
): Promise<EvidenceDownload | { unsupported: true; evidence: EvidenceItem }> {
	const evidence = await loadVisibleEvidence(db, actor, evidenceId);
	if (!isPreviewable(evidence.detectedType)) return { unsupported: true, evidence };
	return openStored(evidence, evidencePreviewHeaders(evidence), storage);
}
