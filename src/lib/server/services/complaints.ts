import { randomBytes } from 'node:crypto';
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
	story: { at?: Date; reference?: string } = {}
): Promise<FileComplaintResult> {
	if (input[HONEYPOT_FIELD] !== '') return { kind: 'discarded' };
	const body = await db.asPerson(null, (tx) => findPublicBody(tx, slug));
	if (!body) throw notFound();
	const scope = { tenantId: body.id, userId: null };
	return db.inTenant(scope, async (tx) => {
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
		await auditAs(tx, scope, 'complaint.file', 'complaint', row.id, {
			after: {
				reference: row.reference,
				certificate: certificate?.number ?? null,
				name: row.complainant_name,
				email: row.complainant_email
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
		return { kind: 'filed', reference: row.reference };
	});
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
