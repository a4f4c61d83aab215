import { sql, type Insertable } from 'kysely';
import type { Tx } from '../db/tenant-scope';
import { updateAtVersion } from './versioned';
import { lastIssuedEvaluationEnd } from './evaluations';
import { tenantJoin, tenantJoinAs } from './tenant-join';
import { afterKey, orderOf, type KeysetPage } from './keyset';
import { likePattern } from './like';
import { certificatesWithOrganisation, personName } from './joins';
import { countOf, findRowById } from './query';
import type {
	CertificateHistoryTable,
	CertificateOrigin,
	CertificateStatus
} from '../../../../db/schema';

export interface CertificateFilter {
	organisationId?: string | null;
	status?: CertificateStatus;
	standardId?: string;
	/** Text in the certificate's number or the organisation's name. */
	search?: string;
}

/**
 * Certificates joined to the names every page shows (organisation, standard, grade); lists,
 * detail pages and decisions add the columns they need.
 */
export function certificatesWithNames(tx: Tx) {
	return certificatesWithOrganisation(tx)
		.innerJoin('standards', tenantJoin('standards', 'certificates.standard_id'))
		.leftJoin('grade_levels', tenantJoin('grade_levels', 'certificates.grade_level_id'))
		.select([
			'organisations.legal_name as organisation_name',
			'standards.code as standard_code',
			'standards.title_zh as standard_title_zh',
			'standards.title_en as standard_title_en',
			'grade_levels.label_zh as grade_zh',
			'grade_levels.label_en as grade_en'
		]);
}

/** What a list or a decision reads of the certificate itself. */
export const CERTIFICATE_SUMMARY = [
	'certificates.id',
	'certificates.number',
	'certificates.scope',
	'certificates.status',
	'certificates.issued_on',
	'certificates.expires_on'
] as const;

/** The certificates `filter` keeps, with their names. */
function filteredCertificates(tx: Tx, filter: CertificateFilter) {
	let query = certificatesWithNames(tx);
	if (filter.organisationId)
		query = query.where('certificates.organisation_id', '=', filter.organisationId);
	if (filter.status) query = query.where('certificates.status', '=', filter.status);
	if (filter.standardId) query = query.where('certificates.standard_id', '=', filter.standardId);
	if (filter.search) {
		const pattern = likePattern(filter.search);
		query = query.where((eb) =>
			eb.or([
				eb('certificates.number', 'ilike', pattern),
				eb('organisations.legal_name', 'ilike', pattern)
			])
		);
	}
	return query;
}

/** How many certificates `filter` keeps (the list's row count). */
export function countCertificates(tx: Tx, filter: CertificateFilter) {
	return countOf(filteredCertificates(tx, filter).clearSelect());
}

/** The certificates `filter` keeps: by number, or one keyset page in its order. */
export function listCertificates(tx: Tx, filter: CertificateFilter = {}, page?: KeysetPage) {
	let query = filteredCertificates(tx, filter).select([
		...CERTIFICATE_SUMMARY,
		'certificates.organisation_id'
	]);
	if (!page) return query.orderBy('certificates.number').execute();
	query = query.orderBy(orderOf(page.order)).limit(page.limit);
	if (page.after) query = query.where(afterKey(page.order, page.after));
	return query.execute();
}

/** The certificate row itself; `forUpdate` locks it for a change. */
export function findCertificate(tx: Tx, id: string, options: { forUpdate?: boolean } = {}) {
	return findRowById(tx, 'certificates', id, options);
}

export function findCertificateByNumber(tx: Tx, number: string) {
	return tx.selectFrom('certificates').selectAll().where('number', '=', number).executeTakeFirst();
}

/** A certificate with the names a page shows: organisation, standard, grade. */
export function findCertificateDetails(tx: Tx, id: string) {
	return certificatesWithNames(tx)
		.selectAll('certificates')
		.select('standards.grade_scale_id')
		.where('certificates.id', '=', id)
		.executeTakeFirst();
}

export interface NewCertificate {
	tenantId: string;
	number: string;
	organisationId: string;
	standardId: string;
	scope: string;
	gradeLevelId: string | null;
	issuedOn: string;
	decidedOn: string;
	expiresOn: string;
	origin: CertificateOrigin;
	previousBodyName: string | null;
	previousNumber: string | null;
	/** When it is recorded, if not now (the demo's past). */
	createdAt?: Date;
}

export function insertCertificate(tx: Tx, certificate: NewCertificate) {
	return tx
		.insertInto('certificates')
		.values({
			tenant_id: certificate.tenantId,
			created_at: certificate.createdAt,
			updated_at: certificate.createdAt,
			number: certificate.number,
			organisation_id: certificate.organisationId,
			standard_id: certificate.standardId,
			scope: certificate.scope,
			grade_level_id: certificate.gradeLevelId,
			status: 'active',
			issued_on: certificate.issuedOn,
			decided_on: certificate.decidedOn,
			expires_on: certificate.expiresOn,
			origin: certificate.origin,
			previous_body_name: certificate.previousBodyName,
			previous_number: certificate.previousNumber
		})
		.returningAll()
		.executeTakeFirstOrThrow();
}

/** Optimistic update of the fields that are not decisions: nothing changes unless `version` is current. */
export function updateCertificateRecord(
	tx: Tx,
	id: string,
	version: number,
	changes: { number: string; scope: string; issuedOn: string; decidedOn: string; expiresOn: string }
) {
	return updateAtVersion(tx, 'certificates', id, version, {
		number: changes.number,
		scope: changes.scope,
		issued_on: changes.issuedOn,
		decided_on: changes.decidedOn,
		expires_on: changes.expiresOn
	});
}

export function insertCertificateHistory(tx: Tx, entry: Insertable<CertificateHistoryTable>) {
	return tx
		.insertInto('certificate_history')
		.values(entry)
		.returningAll()
		.executeTakeFirstOrThrow();
}

/** Several history lines at once: a decision may change status, grade and scope together. */
export async function insertCertificateHistoryEntries(
	tx: Tx,
	entries: Insertable<CertificateHistoryTable>[]
) {
	if (entries.length > 0) await tx.insertInto('certificate_history').values(entries).execute();
}

/**
 * Every status, grade and scope change of a certificate, as recorded, with the decision behind it.
 * A transfer records the earlier body's lines with its own: on the same day, theirs come first,
 * in the order they were typed.
 */
export function listCertificateHistory(tx: Tx, certificateId: string) {
	return tx
		.selectFrom('certificate_history')
		.leftJoin(
			'grade_levels as from_grade',
			tenantJoinAs('from_grade', 'certificate_history.from_grade_level_id')
		)
		.leftJoin(
			'grade_levels as to_grade',
			tenantJoinAs('to_grade', 'certificate_history.to_grade_level_id')
		)
		.leftJoin('decisions', tenantJoin('decisions', 'certificate_history.decision_id'))
		.select((eb) => [
			'certificate_history.id',
			'certificate_history.change',
			'certificate_history.decision_id',
			'certificate_history.from_status',
			'certificate_history.to_status',
			'certificate_history.from_scope',
			'certificate_history.to_scope',
			'certificate_history.from_scope_items',
			'certificate_history.to_scope_items',
			'certificate_history.from_expires_on',
			'certificate_history.to_expires_on',
			'certificate_history.effective_on',
			'certificate_history.recorded_at',
			'certificate_history.previous_body_event',
			'certificate_history.previous_body_note',
			'from_grade.label_zh as from_grade_zh',
			'from_grade.label_en as from_grade_en',
			'to_grade.label_zh as to_grade_zh',
			'to_grade.label_en as to_grade_en',
			'decisions.kind as decision_kind',
			'decisions.reason as decision_reason',
			personName(eb, 'certificate_history.recorded_by').as('recorded_by_name')
		])
		.where('certificate_history.certificate_id', '=', certificateId)
		.orderBy('certificate_history.recorded_at')
		.orderBy('certificate_history.effective_on')
		.orderBy(sql`certificate_history.change = 'previous_body'`, 'desc')
		.orderBy('certificate_history.previous_body_position')
		.execute();
}

export function listEvaluationsOfCertificate(tx: Tx, certificateId: string) {
	return tx
		.selectFrom('evaluations')
		.select(['id', 'kind', 'reference', 'status', 'window_start', 'window_end'])
		.where('certificate_id', '=', certificateId)
		.orderBy('window_start', 'desc')
		.execute();
}

/**
 * The day of the certificate's latest renewal (or restoration) decision, in a query over
 * `certificates`: the start of its current cycle, which the surveillance clock counts from
 * (domain/scheme-rules.ts `surveillanceDue`). Null before any renewal.
 */
export const RENEWED_ON = sql<
	string | null
>`(select max(d.decided_on)::text from decisions d where d.tenant_id = certificates.tenant_id and d.certificate_id = certificates.id and d.kind = 'renew')`;

/**
 * The end of the certificate's latest surveillance or recertification evaluation whose report is
 * out, in a query over `certificates`: the surveillance clock restarts from it. One definition
 * for the certificate page (`lastSurveillanceEndedOn`), the calendar, the chase and the work
 * queues, so that none of them tells a different due date.
 */
export const LAST_SURVEILLANCE_ENDED_ON = sql<
	string | null
>`(select max(e.window_end) from evaluations e where e.tenant_id = certificates.tenant_id and e.certificate_id = certificates.id and e.kind in ('surveillance', 'recertification') and e.status in ('report_issued', 'closed'))`;

/** The day of the certificate's latest renewal decision (`RENEWED_ON`), null if none. */
export async function renewedOn(tx: Tx, certificateId: string): Promise<string | null> {
	const row = await tx
		.selectFrom('certificates')
		.select(RENEWED_ON.as('renewed_on'))
		.where('certificates.id', '=', certificateId)
		.executeTakeFirst();
	return row?.renewed_on ?? null;
}

/**
 * The end of the certificate's latest surveillance or recertification evaluation whose report
 * is out: the scheme's surveillance clock restarts from it.
 */
export const lastSurveillanceEndedOn = (tx: Tx, certificateId: string) =>
	lastIssuedEvaluationEnd(tx, certificateId, ['surveillance', 'recertification']);

export function findGradeLevel(tx: Tx, id: string) {
	return findRowById(tx, 'grade_levels', id);
}

export function listGradeLevelChoices(tx: Tx) {
	return tx
		.selectFrom('grade_levels')
		.select(['id', 'grade_scale_id', 'rank', 'code', 'label_zh', 'label_en'])
		.orderBy('grade_scale_id')
		.orderBy('rank')
		.execute();
}
