import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { AppDatabase, Tx } from '../db/tenant-scope';
import { noteOutboxRows } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import type { ComplaintStatus, Locale } from '../../../../db/schema';
import { badInput, notFound, Refusal } from '../errors';
import { todayInZone, type IsoDate } from '../domain/calendar';
import {
	acknowledgementClock,
	complaintReference,
	complaintStepsFrom,
	decideComplaintStep,
	mayOpenSpecialEvaluation,
	normaliseReference,
	type ComplaintStep
} from '../domain/complaint-lifecycle';
import { can } from '../domain/permissions';
import { resolvedMessage, tenantMailContext, writeMessages } from '../mail/outbox';
import type { TemplateName, TemplateParams } from '../mail/templates';
import * as repo from '../repositories/complaints';
import { listAuditForEntity } from '../repositories/audit';
import { findPublicBody } from '../repositories/public-certificates';
import { listTeamCandidates } from '../repositories/evaluations';
import { stageFile, type Inspected } from '../evidence/inspect';
import { SizeLimitExceeded, type EvidenceStorage } from '../evidence/storage';
import { contentDisposition, sanitiseFileName } from '../evidence/filename';
import { contentTypeOf } from '../evidence/sniff';
import { formatBytes } from '../evidence/upload';
import { auditAs } from './audit-entry';
import { authorize } from './authorize';
import { planEvaluationIn } from './evaluations';
import { HONEYPOT_FIELD } from './complaints.schema';
import type {
	ComplaintStatusInput,
	ComplaintStepInput,
	FileComplaintInput,
	ListComplaintsInput,
	OpenSpecialEvaluationInput
} from './complaints.schema';

/*
 * Complaints (issue 13 item 4). Anyone files one on a body's public pages — no account, no
 * tenant: the body is found by its public slug (a SECURITY DEFINER lookup, migration
 * 2026-12-03-17) and the complaint written in that body's tenant scope, so row-level security
 * decides as for any other row. The complainant gets a receipt with a public reference, then a
 * message at each step the body takes; with the reference and their email they can read the
 * status and its dates, nothing else. The body triages (received → acknowledged → investigating
 * → resolved / rejected, each audited with a note) and may open a special evaluation of the
 * certificate, which links back to the complaint.
 */

/** The triage list shows at most this many complaints. */
export const LIST_LIMIT = 200;

/** The complainant's status page, where their messages lead. */
export const complaintStatusPath = (slug: string, reference?: string) =>
	`/verify/${encodeURIComponent(slug)}/complaint` +
	(reference ? `?reference=${encodeURIComponent(reference)}` : '');

/** Writes one message to the complainant (no account: email only, in their language). */
async function messageComplainant<T extends TemplateName>(
	tx: Tx,
	tenantId: string,
	complaint: { id: string; complainant_email: string; complainant_name: string; locale: Locale },
	template: T,
	params: TemplateParams<T>,
	link: string,
	dedupeKey: string
) {
	const context = await tenantMailContext(tx, tenantId);
	const ids = await writeMessages(tx, context, [
		resolvedMessage(template, params, {
			recipients: [
				{
					email: complaint.complainant_email,
					name: complaint.complainant_name,
					userId: null,
					locale: complaint.locale,
					mailMode: 'immediate'
				}
			],
			link,
			dedupeKey
		})
	]);
	noteOutboxRows(tx, ids);
}

/** At most this many files go with one complaint (issue 13 item 4: "optional files"). */
export const MAX_COMPLAINT_FILES = 3;
/** Each at most this large: a photo or a scanned letter, not an archive of evidence. */
export const MAX_COMPLAINT_FILE_BYTES = 10 * 1024 * 1024;
/** The form's file field, where every file refusal is shown. */
export const COMPLAINT_FILES_FIELD = 'files';

/** One file the complainant sent: its name as their browser gave it, its bytes as a stream. */
export interface ComplaintUpload {
	name: string;
	content: Readable;
}

/** Where the files go and what came: the store is the evidence store (content-addressed). */
export interface ComplaintAttachments {
	storage: EvidenceStorage;
	files: ComplaintUpload[];
}

/**
 * Stages each file through the evidence inspector (type sniffed from the bytes against the
 * allow-list and the name, size bounded while streaming). The first refusal discards every
 * staged file and is thrown on the form's file field, naming the file; nothing is stored.
 */
async function stageComplaintFiles(
	attachments: ComplaintAttachments,
	locale: Locale
): Promise<{ name: string; inspected: Inspected }[]> {
	const { files, storage } = attachments;
	if (files.length > MAX_COMPLAINT_FILES) {
		for (const file of files) file.content.resume();
		throw badInput(COMPLAINT_FILES_FIELD, 'complaints_error_files_too_many', {
			max: MAX_COMPLAINT_FILES
		});
	}
	const staged: { name: string; inspected: Inspected }[] = [];
	try {
		for (const [index, file] of files.entries()) {
			const name = sanitiseFileName(file.name, 'file');
			try {
				staged.push({
					name,
					inspected: await stageFile(file.content, name, storage, MAX_COMPLAINT_FILE_BYTES)
				});
			} catch (error) {
				for (const rest of files.slice(index + 1)) rest.content.resume();
				throw fileRefusal(error, name, locale);
			}
		}
		return staged;
	} catch (error) {
		await Promise.all(staged.map((file) => file.inspected.staged.discard()));
		throw error;
	}
}

/** A staging failure as the visitor reads it: which file, and why. */
function fileRefusal(error: unknown, name: string, locale: Locale): unknown {
	if (error instanceof SizeLimitExceeded)
		return badInput(COMPLAINT_FILES_FIELD, 'complaints_error_file_too_large', {
			name,
			limit: formatBytes(MAX_COMPLAINT_FILE_BYTES, locale)
		});
	if (error instanceof Refusal && error.kind === 'BAD_REQUEST') {
		// The inspector's reasons (empty, type not allowed, bytes contradict the name).
		const key =
			error.messageKey === 'evidence_empty'
				? 'complaints_error_file_empty'
				: 'complaints_error_file_type';
		return badInput(COMPLAINT_FILES_FIELD, key, { name });
	}
	// A broken upload (UploadInterrupted) or a failing store is not the visitor's doing.
	return error;
}

export type FileComplaintResult =
	| { kind: 'filed'; reference: string }
	/** The hidden field was filled: a bot. It hears what a person hears; nothing is stored. */
	| { kind: 'discarded' };

/**
 * A visitor files a complaint at the body with public slug `slug`, about one of its certificates
 * (by exact number) or about the body in general. NOT_FOUND for an unknown body; a number the
 * body does not hold is refused on its field.
 */
export async function fileComplaint(
	db: AppDatabase,
	slug: string,
	input: FileComplaintInput,
	locale: Locale,
	/** The demo's story only: when it was filed, and a fixed reference (two loads must agree). */
	story: { at?: Date; reference?: string } = {},
	/** The optional files (issue 13 item 4); none when absent. */
	attachments: ComplaintAttachments | null = null
): Promise<FileComplaintResult> {
	const drain = () => attachments?.files.forEach((file) => file.content.resume());
	if (input[HONEYPOT_FIELD] !== '') {
		drain();
		return { kind: 'discarded' };
	}
	const body = await db.asPerson(null, (tx) => findPublicBody(tx, slug));
	if (!body) {
		drain();
		throw notFound();
	}
	const scope = { tenantId: body.id, userId: null };
	// Staged (inspected, hashed) before the transaction, so no transaction waits on a slow upload.
	const staged = attachments ? await stageComplaintFiles(attachments, locale) : [];
	try {
		return await db.inTenant(scope, async (tx) => {
			let certificate: Awaited<ReturnType<typeof repo.findCertificateByNumber>> = undefined;
			if (input.certificateNumber) {
				certificate = await repo.findCertificateByNumber(tx, input.certificateNumber);
				if (!certificate)
					throw badInput('certificateNumber', 'complaints_error_certificate_unknown', {
						number: input.certificateNumber
					});
			}
			// Eight random characters from 31: a clash is a one-in-a-trillion event; try again anyway.
			let row: Awaited<ReturnType<typeof repo.insertComplaint>>;
			for (let attempt = 0; attempt < 3 && !row; attempt++)
				row = await repo.insertComplaint(tx, {
					tenantId: body.id,
					reference: story.reference ?? complaintReference(randomBytes(8)),
					receivedAt: story.at,
					certificateId: certificate?.id ?? null,
					organisationId: certificate?.organisation_id ?? null,
					name: input.name,
					email: input.email,
					phone: input.phone,
					locale,
					body: input.body
				});
			if (!row) throw new Error('no free complaint reference');
			const files = await repo.insertComplaintFiles(
				tx,
				staged.map((file) => ({
					tenantId: body.id,
					complaintId: row.id,
					sha256: file.inspected.staged.sha256,
					sizeBytes: file.inspected.staged.size,
					detectedType: file.inspected.detectedType,
					originalName: file.name,
					uploadedAt: story.at
				}))
			);
			await auditAs(tx, scope, 'complaint.file', 'complaint', row.id, {
				after: {
					reference: row.reference,
					certificate: certificate?.number ?? null,
					name: row.complainant_name,
					email: row.complainant_email,
					files: files.map((file) => ({ name: file.original_name, size: Number(file.size_bytes) }))
				},
				at: story.at
			});
			await messageComplainant(
				tx,
				body.id,
				row,
				'complaint.received',
				{ reference: row.reference },
				complaintStatusPath(body.slug, row.reference),
				`complaint.received:${row.id}`
			);
			// The bytes go into the store last, still inside the transaction: a refusal above stores
			// nothing, and if the commit fails the stored bytes are content nobody points to.
			for (const file of staged) await file.inspected.staged.keep();
			return { kind: 'filed', reference: row.reference };
		});
	} finally {
		// Kept files are settled already; this drops any staged copy a refusal left behind.
		await Promise.all(staged.map((file) => file.inspected.staged.discard()));
	}
}

const dayOf = (at: Date | null, zone: string): IsoDate | null =>
	at ? todayInZone(at, zone) : null;

/** What the complainant's status page shows: the status and the day of each step (body's zone). */
export interface ComplaintStatusView {
	reference: string;
	status: ComplaintStatus;
	receivedOn: IsoDate;
	acknowledgedOn: IsoDate | null;
	investigatingOn: IsoDate | null;
	closedOn: IsoDate | null;
}

/**
 * The status of the complaint with this reference at this body, if `email` is its
 * complainant's. Null otherwise — a wrong email and an unknown reference look the same.
 */
export async function complaintStatus(
	db: AppDatabase,
	slug: string,
	input: ComplaintStatusInput
): Promise<ComplaintStatusView | null> {
	const body = await db.asPerson(null, (tx) => findPublicBody(tx, slug));
	if (!body) throw notFound();
	const row = await db.inTenant({ tenantId: body.id, userId: null }, (tx) =>
		repo.findComplaintStatus(tx, normaliseReference(input.reference), input.email)
	);
	if (!row) return null;
	const zone = body.time_zone;
	return {
		reference: row.reference,
		status: row.status,
		receivedOn: todayInZone(row.received_at, zone),
		acknowledgedOn: dayOf(row.acknowledged_at, zone),
		investigatingOn: dayOf(row.investigating_at, zone),
		closedOn: dayOf(row.closed_at, zone)
	};
}

/** The triage list: complaints (of one status, or all) with their acknowledgement clock. */
export async function listComplaintPage(
	db: AppDatabase,
	actor: Actor,
	input: ListComplaintsInput,
	now = new Date()
) {
	authorize(actor, 'complaint.read');
	const zone = actor.tenant.timeZone;
	const today = todayInZone(now, zone);
	return db.inTenant(scopeOf(actor), async (tx) => {
		const [rows, counts] = await Promise.all([
			repo.listComplaints(tx, { status: input.status, limit: LIST_LIMIT }),
			repo.countComplaintsByStatus(tx)
		]);
		return {
			today,
			limit: LIST_LIMIT,
			counts: Object.fromEntries(counts.map((row) => [row.status, Number(row.n)])) as Partial<
				Record<ComplaintStatus, number>
			>,
			complaints: rows.map((row) => ({
				...row,
				clock: acknowledgementClock(
					todayInZone(row.received_at, zone),
					dayOf(row.acknowledged_at, zone),
					today
				)
			}))
		};
	});
}

/** A complaint's page: what was filed, its steps and clock, its history, what may be done. */
export async function getComplaint(db: AppDatabase, actor: Actor, id: string, now = new Date()) {
	authorize(actor, 'complaint.read');
	const zone = actor.tenant.timeZone;
	const today = todayInZone(now, zone);
	return db.inTenant(scopeOf(actor), async (tx) => {
		const complaint = await repo.findComplaint(tx, id);
		if (!complaint) throw notFound();
		const triage = can(actor, 'complaint.triage');
		const mayOpen =
			triage &&
			can(actor, 'evaluation.plan') &&
			complaint.certificate_id !== null &&
			complaint.evaluation_id === null &&
			mayOpenSpecialEvaluation(complaint.status);
		return {
			complaint,
			clock: acknowledgementClock(
				todayInZone(complaint.received_at, zone),
				dayOf(complaint.acknowledged_at, zone),
				today
			),
			files: (await repo.listComplaintFiles(tx, complaint.id)).map((file) => ({
				id: file.id,
				name: file.original_name,
				type: file.detected_type,
				sizeBytes: Number(file.size_bytes),
				downloadPath: `/complaints/${complaint.id}/files/${file.id}`
			})),
			history: await listAuditForEntity(tx, 'complaint', complaint.id),
			steps: triage ? complaintStepsFrom(complaint.status) : [],
			mayOpenEvaluation: mayOpen,
			teamCandidates: mayOpen ? await listTeamCandidates(tx) : [],
			today
		};
	});
}

const STEP_ACTIONS = {
	acknowledge: 'complaint.acknowledge',
	investigate: 'complaint.investigate',
	resolve: 'complaint.resolve',
	reject: 'complaint.reject'
} as const satisfies Record<ComplaintStep, string>;

async function loadForChange(tx: Tx, id: string, version: number) {
	const complaint = await repo.findComplaint(tx, id, { forUpdate: true });
	if (!complaint) throw notFound();
	if (complaint.version !== version) throw new Refusal('CONFLICT', 'error_stale_version');
	return complaint;
}

/** The body's step on a complaint, audited with its note; the complainant hears of it. */
export async function takeComplaintStep(db: AppDatabase, actor: Actor, input: ComplaintStepInput) {
	authorize(actor, 'complaint.triage');
	return db.inTenant(scopeOf(actor), async (tx) => {
		const complaint = await loadForChange(tx, input.id, input.version);
		const decision = decideComplaintStep(complaint.status, input.step);
		if (!decision.ok) throw new Refusal('CONFLICT', decision.reason);
		const updated = await repo.setComplaintStatus(tx, complaint.id, complaint.version, {
			status: decision.to,
			at: new Date()
		});
		if (!updated) throw new Refusal('CONFLICT', 'error_stale_version');
		await auditAs(tx, actor, STEP_ACTIONS[input.step], 'complaint', complaint.id, {
			before: { status: complaint.status },
			after: { status: decision.to, note: input.note || null }
		});
		await messageComplainant(
			tx,
			actor.tenantId,
			complaint,
			'complaint.status_changed',
			{ reference: complaint.reference, status: decision.to },
			complaintStatusPath(actor.tenant.slug, complaint.reference),
			`complaint.status_changed:${complaint.id}:${updated.version}`
		);
		return { id: complaint.id, status: decision.to, version: updated.version };
	});
}

/**
 * "Open a special evaluation" (ISO/IEC 17021-1 9.6.4: a complaint may call for one): an
 * evaluation of kind 'special' of the complaint's certificate, planned with its window and team,
 * pointing back at the complaint; the complaint moves to investigating (if it was not already)
 * and names the evaluation. One per complaint.
 */
export async function openSpecialEvaluation(
	db: AppDatabase,
	actor: Actor,
	input: OpenSpecialEvaluationInput
) {
	authorize(actor, 'complaint.triage');
	authorize(actor, 'evaluation.plan');
	return db.inTenant(scopeOf(actor), async (tx) => {
		const complaint = await loadForChange(tx, input.id, input.version);
		if (!complaint.certificate_id)
			throw new Refusal('CONFLICT', 'complaints_error_evaluation_needs_certificate');
		if (complaint.evaluation_id)
			throw new Refusal('CONFLICT', 'complaints_error_evaluation_already_open');
		if (!mayOpenSpecialEvaluation(complaint.status))
			throw new Refusal('CONFLICT', 'complaints_error_step_not_allowed');
		const teamIds = input.teamIds.includes(input.leadId)
			? input.teamIds
			: [input.leadId, ...input.teamIds];
		const evaluation = await planEvaluationIn(tx, actor, {
			kind: 'special',
			certificateId: complaint.certificate_id,
			windowStart: input.windowStart,
			windowEnd: input.windowEnd,
			teamIds,
			leadId: input.leadId,
			complaintId: complaint.id
		});
		const updated = await repo.setComplaintStatus(tx, complaint.id, complaint.version, {
			status: 'investigating',
			at: complaint.investigating_at ?? new Date(),
			evaluationId: evaluation.id
		});
		if (!updated) throw new Refusal('CONFLICT', 'error_stale_version');
		await auditAs(tx, actor, 'complaint.open_evaluation', 'complaint', complaint.id, {
			before: { status: complaint.status },
			after: { status: 'investigating', evaluation_id: evaluation.id, note: input.note || null }
		});
		if (complaint.status !== 'investigating')
			await messageComplainant(
				tx,
				actor.tenantId,
				complaint,
				'complaint.status_changed',
				{ reference: complaint.reference, status: 'investigating' },
				complaintStatusPath(actor.tenant.slug, complaint.reference),
				`complaint.status_changed:${complaint.id}:${updated.version}`
			);
		return { id: complaint.id, evaluationId: evaluation.id, version: updated.version };
	});
}

/** The evaluation page's link back: the complaint it was opened from, if the actor may read it. */
export async function complaintOfEvaluation(db: AppDatabase, actor: Actor, evaluationId: string) {
	if (!can(actor, 'complaint.read')) return null;
	return (
		(await db.inTenant(scopeOf(actor), (tx) => repo.findComplaintOfEvaluation(tx, evaluationId))) ??
		null
	);
}

/**
 * One of a complaint's files for the body to download (complaint.read): its bytes and the
 * headers that keep a browser from rendering it. Another tenant's file, or a file of another
 * complaint, is "not found".
 */
export async function openComplaintFileForDownload(
	db: AppDatabase,
	actor: Actor,
	complaintId: string,
	fileId: string,
	storage: EvidenceStorage
): Promise<{ stream: Readable; headers: Record<string, string> }> {
	authorize(actor, 'complaint.read');
	const file = await db.inTenant(scopeOf(actor), (tx) =>
		repo.findComplaintFile(tx, complaintId, fileId)
	);
	if (!file || !(await storage.has(file.sha256))) throw notFound();
	return {
		stream: storage.open(file.sha256),
		headers: {
			'content-type': contentTypeOf(file.detected_type),
			'content-length': String(file.size_bytes),
			'content-disposition': contentDisposition(file.original_name),
			'x-content-type-options': 'nosniff',
			'content-security-policy': "default-src 'none'; sandbox",
			'cache-control': 'private, no-store'
		}
	};
}
