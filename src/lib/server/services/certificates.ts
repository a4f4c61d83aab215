import type { AppDatabase, Tx } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import type { Certificate, CertificateOrigin, CertificateStatus } from '../../../../db/schema';
import { NO_ORGANISATION } from '../domain/roles';
import { mayEver } from '../domain/permissions';
import {
	certificateExpiry,
	RESTORATION_MONTHS,
	restorationGap,
	restorationLimit,
	surveillanceDue,
	suspensionLimit
} from '../domain/scheme-rules';
import { isIsoDate, todayInZone } from '../domain/calendar';
import { previousBodyHistory, type PreviousBodyLine } from '../domain/previous-body-history';
import { badInput, notFound, Refusal, staleVersion } from '../errors';
import { authorize } from './authorize';
import { EARLIEST_DATE, LATEST_DATE } from './common.schema';
import * as repo from '../repositories/certificates';
import { findStandard, listStandardChoices } from '../repositories/catalogue';
import { findOrganisation, listOrganisations } from '../repositories/organisations';
import { findSchemeRules } from '../repositories/scheme-rules';
import { auditAs } from './audit-entry';
import { refuseUniqueViolations } from '../db/errors';
import { timelineOf } from './timeline';
import { listCertificateDecisions } from '../repositories/decisions';
import { suspendedSince } from '../repositories/certificate-flags';
import type { z } from 'zod';
import type { CertificateSort, listCertificatesInput } from './certificates.schema';
import {
	ascending,
	byId,
	readListBatches,
	readListPage,
	type ListPage,
	type ListSort
} from './list-pages';

type CertificateRow = Awaited<ReturnType<typeof repo.listCertificates>>[number];

const number = ascending<CertificateRow>('certificates.number', 'number', 'text');
const CERTIFICATE_ORDERS: Record<CertificateSort, ListSort<CertificateRow>> = {
	number: { columns: [number, byId('certificates.id')] },
	expiry: {
		columns: [ascending('certificates.expires_on', 'expires_on', 'date'), byId('certificates.id')]
	},
	organisation: {
		columns: [
			ascending('organisations.legal_name', 'organisation_name', 'text'),
			number,
			byId('certificates.id')
		]
	}
};

/** Whose certificates the actor may list: an organisation user only their own organisation's. */
function visibleOrganisation(actor: Actor, asked?: string) {
	return mayEver(actor, 'organisation.readAll') ? asked : (actor.organisationId ?? NO_ORGANISATION);
}

/** The standards the certificate list's filter offers. */
export function certificateFilterChoices(db: AppDatabase, actor: Actor) {
	authorize(actor, 'certificate.list');
	return db.inTenant(scopeOf(actor), (tx) => listStandardChoices(tx));
}

/** Every certificate of one organisation, by number (the organisation's page). */
export function listCertificates(
	db: AppDatabase,
	actor: Actor,
	filter: { status?: CertificateStatus; organisationId?: string } = {}
) {
	const organisationId = visibleOrganisation(actor, filter.organisationId);
	return db.inTenant(scopeOf(actor), (tx) =>
		repo.listCertificates(tx, { status: filter.status, organisationId })
	);
}

/**
 * One page of the certificate list (the page and the tRPC procedure): filters, order, and how
 * many certificates the filter keeps. `input.cursor` is the `next` of the page before.
 */
export function listCertificatePage(
	db: AppDatabase,
	actor: Actor,
	input: Partial<z.output<typeof listCertificatesInput>> = {},
	options: { pageSize?: number } = {}
): Promise<ListPage<CertificateRow>> {
	authorize(actor, 'certificate.list');
	const filter = certificateFilterOf(actor, input);
	return readListPage(
		db,
		actor,
		CERTIFICATE_ORDERS,
		{ sort: input.sort ?? 'number', cursor: input.cursor, ...options },
		(tx, page) => repo.listCertificates(tx, filter, page),
		(tx) => repo.countCertificates(tx, filter)
	);
}

function certificateFilterOf(actor: Actor, input: Partial<z.output<typeof listCertificatesInput>>) {
	return {
		status: input.status,
		organisationId: visibleOrganisation(actor, input.organisationId),
		standardId: input.standardId,
		search: input.search
	};
}

/** Every certificate the list's filter keeps, in its order, batch by batch (the export). */
export function certificateBatches(
	db: AppDatabase,
	actor: Actor,
	input: Partial<z.output<typeof listCertificatesInput>> = {},
	options: { batchSize?: number } = {}
): AsyncGenerator<CertificateRow[], void, undefined> {
	authorize(actor, 'certificate.list');
	const filter = certificateFilterOf(actor, input);
	return readListBatches(
		db,
		actor,
		CERTIFICATE_ORDERS,
		{ sort: input.sort ?? 'number', ...options },
		(tx, page) => repo.listCertificates(tx, filter, page)
	);
}

/* One certificate: who may see it, its page, and the changes that are not decisions. */

/**
 * The certificate row if `actor` may see it: CB staff see every certificate of the tenant (RLS
 * keeps other tenants out); organisation users their own organisation's only. Anything else is
 * "not found", so ids of others' certificates reveal nothing. `forUpdate` locks the row.
 */
export async function loadVisibleCertificate(
	tx: Tx,
	actor: Actor,
	id: string,
	options: { forUpdate?: boolean } = {}
) {
	const certificate = await repo.findCertificate(tx, id, options);
	if (!certificate) throw notFound();
	if (
		!mayEver(actor, 'organisation.readAll') &&
		certificate.organisation_id !== actor.organisationId
	)
		throw notFound();
	return certificate;
}

/** Statuses under which the certificate is still being surveilled. */
const SURVEILLED: readonly CertificateStatus[] = ['active', 'suspended'];

/**
 * A certificate with its names, its full history and its surveillance clock: the next
 * surveillance due (from the scheme rules, restarting at the last surveillance or
 * recertification whose report is out, and at a renewal), and whether that date has passed;
 * past its expiry, until when a recertification may still restore it.
 */
export function getCertificate(db: AppDatabase, actor: Actor, id: string) {
	return db.inTenant(scopeOf(actor), async (tx) => {
		await loadVisibleCertificate(tx, actor, id);
		const certificate = await repo.findCertificateDetails(tx, id);
		if (!certificate) throw notFound();
		const history = await repo.listCertificateHistory(tx, id);
		const decisions = await listCertificateDecisions(tx, id);
		const rules = await findSchemeRules(tx, certificate.standard_id);
		const lastEndedOn = await repo.lastSurveillanceEndedOn(tx, id);
		const renewedOn = await repo.renewedOn(tx, id);
		const today = todayInZone(new Date(), actor.tenant.timeZone);
		const surveilled = SURVEILLED.includes(certificate.status);
		// The scheme's suspension clock (issue 12 item 3): from the day it was suspended, the
		// latest day to restore it before the chase proposes withdrawal.
		const since =
			certificate.status === 'suspended' ? await suspendedSince(tx, certificate.id) : null;
		const restoreBy = since ? suspensionLimit(since, rules) : null;
		// The current cycle's clock: a renewal starts a new one, and the old cycle's surveillances
		// no longer count (domain/scheme-rules.ts `surveillanceDue`).
		const due = surveilled
			? surveillanceDue(
					{
						issuedOn: certificate.issued_on,
						decidedOn: certificate.decided_on,
						renewedOn
					},
					lastEndedOn,
					rules
				)
			: null;
		const nextDue = due?.dueOn ?? null;
		// Past its expiry (marked or not yet by the sweep), a recertification decision restores it
		// until the restoration limit; later it is certified anew (ISO/IEC 17021-1 9.6.3.2.5).
		const lapsed = certificate.status !== 'withdrawn' && today > certificate.expires_on;
		return {
			...certificate,
			/** The latest renewal decision's day: from it the dates are the decisions' own. */
			renewedOn,
			// A renewal decided after the expiry restored the certification: the lapse it records.
			history: history.map((row) => ({
				...row,
				lapse:
					row.change === 'renewed' && row.from_expires_on
						? restorationGap(row.from_expires_on, row.effective_on)
						: null
			})),
			decisions,
			suspension:
				certificate.status === 'suspended'
					? {
							since,
							restoreBy,
							late: restoreBy !== null && restoreBy < today,
							maxSuspensionMonths: rules.maxSuspensionMonths,
							withdrawalProposedOn: certificate.withdrawal_proposed_on
						}
					: null,
			surveillance: {
				lastEndedOn: due?.from === 'last' ? lastEndedOn : null,
				/**
				 * What the clock counts from: the last surveillance of this cycle, else the cycle's
				 * start (the scheme's origin, or the renewal that began the cycle) on `countedFromOn`.
				 */
				countedFrom: due?.from ?? rules.firstSurveillanceFrom,
				countedFromOn: due?.fromOn ?? null,
				nextDue,
				overdue: nextDue !== null && nextDue < today
			},
			restoration: lapsed
				? {
						expiredOn: certificate.expires_on,
						restoreBy: restorationLimit(certificate.expires_on),
						open: today <= restorationLimit(certificate.expires_on),
						months: RESTORATION_MONTHS
					}
				: null
		};
	});
}

export type CertificatePage = Awaited<ReturnType<typeof getCertificate>>;

/** The evaluations of a certificate, newest window first. */
export function listCertificateEvaluations(db: AppDatabase, actor: Actor, certificateId: string) {
	return db.inTenant(scopeOf(actor), async (tx) => {
		await loadVisibleCertificate(tx, actor, certificateId);
		return repo.listEvaluationsOfCertificate(tx, certificateId);
	});
}

export function certificateTimeline(db: AppDatabase, actor: Actor, certificateId: string) {
	return db.inTenant(scopeOf(actor), async (tx) => {
		await loadVisibleCertificate(tx, actor, certificateId);
		return timelineOf(tx, 'certificate', certificateId);
	});
}

/** What the certificate form offers: organisations, standards and their scales' grades. */
export function certificateFormChoices(db: AppDatabase, actor: Actor) {
	authorize(actor, 'certificate.import');
	return db.inTenant(scopeOf(actor), async (tx) => {
		const organisations = await listOrganisations(tx);
		const standards = await listStandardChoices(tx);
		const gradeLevels = await repo.listGradeLevelChoices(tx);
		return {
			organisations: organisations.map((o) => ({ id: o.id, name: o.legal_name, uscc: o.uscc })),
			standards,
			gradeLevels
		};
	});
}

function validDate(field: string, value: string): string {
	if (!isIsoDate(value)) throw badInput(field, 'organisations_error_date_invalid');
	// The scheme clock adds years; a day beyond the product's range would overflow the calendar.
	if (value < EARLIEST_DATE || value > LATEST_DATE)
		throw badInput(field, 'error_date_out_of_range');
	return value;
}

/** The decision comes first: a certificate is issued on or after the day it was decided. */
function validDates(issuedOnInput: string, decidedOnInput: string | undefined | null) {
	const issuedOn = validDate('issuedOn', issuedOnInput);
	const decidedOn = decidedOnInput ? validDate('decidedOn', decidedOnInput) : issuedOn;
	if (decidedOn > issuedOn) throw badInput('decidedOn', 'organisations_error_decided_after_issue');
	return { issuedOn, decidedOn };
}

function requiredText(field: string, value: string, max: number): string {
	const text = value.trim();
	if (!text) throw badInput(field, 'error_required');
	if (text.length > max) throw badInput(field, 'error_too_long');
	return text;
}

/** The expiry a certificate of `standardId` issued on `issuedOn` gets under the standard's scheme rules. */
export function previewCertificateExpiry(
	db: AppDatabase,
	actor: Actor,
	input: { standardId: string; issuedOn: string }
) {
	authorize(actor, 'certificate.manage');
	const issuedOn = validDate('issuedOn', input.issuedOn);
	return db.inTenant(scopeOf(actor), async (tx) => {
		if (!(await findStandard(tx, input.standardId)))
			throw badInput('standardId', 'organisations_error_standard_unknown');
		const rules = await findSchemeRules(tx, input.standardId);
		return {
			expiresOn: certificateExpiry(issuedOn, rules),
			validityMonths: rules.certificateValidityMonths
		};
	});
}

export interface NewCertificateInput {
	number: string;
	organisationId: string;
	standardId: string;
	scope: string;
	gradeLevelId?: string | null;
	issuedOn: string;
	/** Defaults to `issuedOn`. */
	decidedOn?: string | null;
	/**
	 * A certificate another body issued and this one takes over (issue 12 item 4): that body's
	 * name and its number there, both or neither.
	 */
	previousBodyName?: string | null;
	previousNumber?: string | null;
	/**
	 * Its history at that body, as a form's parallel lists (one entry per row, blank rows
	 * ignored): each line's day, event (domain/previous-body-history.ts) and note.
	 */
	previousHistoryOn?: string[];
	previousHistoryEvent?: string[];
	previousHistoryNote?: string[];
}

const duplicateNumber = (number: string) => () =>
	new Refusal('CONFLICT', 'organisations_error_certificate_number_duplicate', { number }, 'number');

/** The number is refused by the unique constraint too, for the loser of two concurrent saves. */
const numberConstraint = (number: string) => ({
	certificates_tenant_id_number_key: duplicateNumber(number)
});

/** A certificate about to be written, whichever way it comes in (a grant, an import). */
export interface CertificateToIssue {
	number: string;
	organisationId: string;
	standard: { id: string; grade_scale_id: string | null };
	scope: string;
	gradeLevelId: string | null;
	issuedOn: string;
	decidedOn: string;
	origin: CertificateOrigin;
	previousBodyName?: string | null;
	previousNumber?: string | null;
	/** A transferred certificate's history at the earlier body, already checked. */
	previousHistory?: readonly PreviousBodyLine[];
	/** When it is recorded (the demo loads its past); unset, the database's clock. */
	now?: Date;
}

/**
 * Writes a new certificate: its grade checked against the standard's scale (none when the
 * standard has no scale), its expiry from the standard's scheme rules, its first history row
 * ('issued') and the audit entry. The one place a certificate is born, for grants and imports
 * alike; the caller's transaction holds it all. A grant's `decide` writes the decision row once
 * the certificate exists (the decision names it) and before the history row (which names the
 * decision).
 */
export async function issueCertificateIn(
	tx: Tx,
	actor: Actor,
	input: CertificateToIssue,
	decide?: (certificate: Certificate) => Promise<string>
): Promise<Certificate> {
	await checkGrade(tx, input.standard.grade_scale_id, input.gradeLevelId);
	const expiresOn = certificateExpiry(input.issuedOn, await findSchemeRules(tx, input.standard.id));
	const certificate = await repo.insertCertificate(tx, {
		tenantId: actor.tenantId,
		number: input.number,
		organisationId: input.organisationId,
		standardId: input.standard.id,
		scope: input.scope,
		gradeLevelId: input.gradeLevelId,
		issuedOn: input.issuedOn,
		decidedOn: input.decidedOn,
		expiresOn,
		origin: input.origin,
		previousBodyName: input.previousBodyName ?? null,
		previousNumber: input.previousNumber ?? null,
		createdAt: input.now
	});
	const decisionId = decide ? await decide(certificate) : null;
	await repo.insertCertificateHistory(tx, {
		tenant_id: actor.tenantId,
		certificate_id: certificate.id,
		decision_id: decisionId,
		change: 'issued',
		to_status: certificate.status,
		to_grade_level_id: input.gradeLevelId,
		to_scope: input.scope,
		effective_on: input.issuedOn,
		recorded_by: actor.userId,
		recorded_at: input.now
	});
	const previousHistory = input.previousHistory ?? [];
	// Lines of its own kind that carry no status, grade, scope or expiry (a constraint says so),
	// so this body's clocks, registry files and public status never read them as its changes.
	await repo.insertCertificateHistoryEntries(
		tx,
		previousHistory.map((line) => ({
			tenant_id: actor.tenantId,
			certificate_id: certificate.id,
			change: 'previous_body' as const,
			previous_body_event: line.event,
			previous_body_note: line.note,
			previous_body_position: line.position,
			effective_on: line.on,
			recorded_by: actor.userId,
			recorded_at: input.now
		}))
	);
	await auditAs(tx, actor, 'certificate.create', 'certificate', certificate.id, {
		after: {
			...audited(certificate),
			...(previousHistory.length > 0
				? {
						previousHistory: previousHistory.map(
							(line) => `${line.on} ${line.event}${line.note ? `: ${line.note}` : ''}`
						)
					}
				: {})
		},
		at: input.now
	});
	return certificate;
}

/**
 * Imports a certificate issued before CertTrack (issue 12 item 1: direct creation is only this,
 * for admins): by this body, or transferred from another body with that body's name and number.
 * Besides its 'issued' line, its history says how it came in ('imported' / 'transferred', on the
 * day it was recorded), so nobody takes it for a grant decided here.
 */
/** `now`: when it is recorded (the demo loads its past); unset, the database's clock. */
export function createCertificate(
	db: AppDatabase,
	actor: Actor,
	input: NewCertificateInput,
	now?: Date
) {
	authorize(actor, 'certificate.import');
	const number = requiredText('number', input.number, 100);
	const scope = requiredText('scope', input.scope, 2000);
	const { issuedOn, decidedOn } = validDates(input.issuedOn, input.decidedOn);
	const gradeLevelId = input.gradeLevelId || null;
	const transfer =
		input.previousBodyName?.trim() || input.previousNumber?.trim()
			? {
					previousBodyName: requiredText('previousBodyName', input.previousBodyName ?? '', 200),
					previousNumber: requiredText('previousNumber', input.previousNumber ?? '', 100)
				}
			: null;
	const previousHistory = checkedPreviousHistory(actor, input, issuedOn, transfer !== null, now);
	return db
		.inTenant(scopeOf(actor), async (tx) => {
			if (!(await findOrganisation(tx, input.organisationId)))
				throw badInput('organisationId', 'error_organisation_unknown');
			const standard = await findStandard(tx, input.standardId);
			if (!standard) throw badInput('standardId', 'organisations_error_standard_unknown');
			if (await repo.findCertificateByNumber(tx, number)) throw duplicateNumber(number)();

			const certificate = await issueCertificateIn(tx, actor, {
				number,
				organisationId: input.organisationId,
				standard,
				scope,
				gradeLevelId,
				issuedOn,
				decidedOn,
				origin: transfer ? 'transferred' : 'imported',
				previousBodyName: transfer?.previousBodyName,
				previousNumber: transfer?.previousNumber,
				previousHistory,
				now
			});
			const recordedOn = todayInZone(now ?? new Date(), actor.tenant.timeZone);
			await repo.insertCertificateHistory(tx, {
				tenant_id: actor.tenantId,
				certificate_id: certificate.id,
				change: transfer ? 'transferred' : 'imported',
				// Recorded today, yet never before the certificate's own issue.
				effective_on: recordedOn < issuedOn ? issuedOn : recordedOn,
				recorded_by: actor.userId,
				recorded_at: now
			});
			return certificate;
		})
		.catch(refuseUniqueViolations(numberConstraint(number)));
}

/** Where a refused row's field is on the form: `previousHistoryOn.2` is the third row's day. */
const PREVIOUS_HISTORY_FIELDS = {
	on: 'previousHistoryOn',
	event: 'previousHistoryEvent',
	note: 'previousHistoryNote'
} as const;

/**
 * The earlier body's history as lines, refused on the row and field at fault. Only a transfer
 * has one: an import of this body's own certificate has no earlier body to have a history at.
 */
function checkedPreviousHistory(
	actor: Actor,
	input: NewCertificateInput,
	issuedOn: string,
	transferred: boolean,
	now: Date | undefined
): PreviousBodyLine[] {
	const ons = input.previousHistoryOn ?? [];
	const events = input.previousHistoryEvent ?? [];
	const notes = input.previousHistoryNote ?? [];
	const rows = Array.from(
		{ length: Math.max(ons.length, events.length, notes.length) },
		(_, i) => ({
			on: ons[i] ?? '',
			event: events[i] ?? '',
			note: notes[i] ?? ''
		})
	);
	const verdict = previousBodyHistory(rows, {
		issuedOn,
		today: todayInZone(now ?? new Date(), actor.tenant.timeZone)
	});
	if (!verdict.ok)
		throw badInput(
			`${PREVIOUS_HISTORY_FIELDS[verdict.field]}.${verdict.row}`,
			`certificate_previous_history_${verdict.reason}`
		);
	if (verdict.lines.length > 0 && !transferred)
		throw badInput('previousBodyName', 'certificate_previous_history_needs_body');
	return verdict.lines;
}

/** A grade must come from the standard's own scale; a standard without a scale grades nothing. */
async function checkGrade(tx: Tx, gradeScaleId: string | null, gradeLevelId: string | null) {
	if (!gradeScaleId) {
		if (gradeLevelId) throw badInput('gradeLevelId', 'organisations_error_grade_no_scale');
		return;
	}
	if (!gradeLevelId) throw badInput('gradeLevelId', 'organisations_error_grade_required');
	const level = await repo.findGradeLevel(tx, gradeLevelId);
	if (!level || level.grade_scale_id !== gradeScaleId)
		throw badInput('gradeLevelId', 'organisations_error_grade_not_in_scale');
}

function audited(certificate: Certificate) {
	return {
		number: certificate.number,
		organisationId: certificate.organisation_id,
		standardId: certificate.standard_id,
		scope: certificate.scope,
		gradeLevelId: certificate.grade_level_id,
		status: certificate.status,
		issuedOn: certificate.issued_on,
		decidedOn: certificate.decided_on,
		expiresOn: certificate.expires_on,
		origin: certificate.origin,
		...(certificate.origin === 'transferred'
			? {
					previousBodyName: certificate.previous_body_name,
					previousNumber: certificate.previous_number
				}
			: {})
	};
}

export interface CertificateCorrection {
	number: string;
	scope: string;
	issuedOn: string;
	decidedOn?: string | null;
}

/**
 * Corrects what is not a decision: the number, the wording of the scope, the issue and decision
 * dates (the expiry follows the scheme rules again). Refused unless `version` is current. A
 * changed scope also enters the certificate's history. Once renewed, the decision date and the
 * expiry are the renewal's and the issue date opens the first cycle: none of them is corrected
 * here any more (a correction would undo the renewal's cycle), so they must come back unchanged.
 */
export function updateCertificate(
	db: AppDatabase,
	actor: Actor,
	id: string,
	version: number,
	input: CertificateCorrection
) {
	authorize(actor, 'certificate.manage');
	const number = requiredText('number', input.number, 100);
	const scope = requiredText('scope', input.scope, 2000);
	const issuedOnInput = validDate('issuedOn', input.issuedOn);
	const decidedOnInput = input.decidedOn ? validDate('decidedOn', input.decidedOn) : null;
	return db
		.inTenant(scopeOf(actor), async (tx) => {
			const before = await loadVisibleCertificate(tx, actor, id, { forUpdate: true });
			if (before.version !== version) throw staleVersion();
			const clash = await repo.findCertificateByNumber(tx, number);
			if (clash && clash.id !== id) throw duplicateNumber(number)();
			let issuedOn: string;
			let decidedOn: string;
			let expiresOn: string;
			if (await repo.renewedOn(tx, id)) {
				if (issuedOnInput !== before.issued_on)
					throw badInput('issuedOn', 'organisations_error_dates_renewed');
				if (decidedOnInput !== null && decidedOnInput !== before.decided_on)
					throw badInput('decidedOn', 'organisations_error_dates_renewed');
				({ issued_on: issuedOn, decided_on: decidedOn, expires_on: expiresOn } = before);
			} else {
				({ issuedOn, decidedOn } = validDates(issuedOnInput, decidedOnInput));
				expiresOn = certificateExpiry(issuedOn, await findSchemeRules(tx, before.standard_id));
			}
			const unchanged =
				before.number === number &&
				before.scope === scope &&
				before.issued_on === issuedOn &&
				before.decided_on === decidedOn &&
				before.expires_on === expiresOn;
			if (unchanged) return before;

			const after = await repo.updateCertificateRecord(tx, id, version, {
				number,
				scope,
				issuedOn,
				decidedOn,
				expiresOn
			});
			if (!after) throw staleVersion();
			if (after.scope !== before.scope)
				await repo.insertCertificateHistory(tx, {
					tenant_id: actor.tenantId,
					certificate_id: id,
					change: 'scope',
					from_scope: before.scope,
					to_scope: after.scope,
					effective_on: todayInZone(new Date(), actor.tenant.timeZone),
					recorded_by: actor.userId
				});
			await auditAs(tx, actor, 'certificate.update', 'certificate', id, {
				before: audited(before),
				after: audited(after)
			});
			return after;
		})
		.catch(refuseUniqueViolations(numberConstraint(number)));
}
