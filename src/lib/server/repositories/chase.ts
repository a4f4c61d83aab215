import { sql } from 'kysely';
import type { Tx } from '../db/tenant-scope';
import type { ReminderSubjectKind } from '../../../../db/schema';
import { tenantJoin } from './tenant-join';
import { certificatesWithOrganisation, findingsWithOrganisation, leadOf } from './joins';
import { suspensionStart } from './certificate-flags';

/*
 * What the clocks read and write (issue 7). The reads take FOR SHARE on the subject rows, so a
 * due date changed by a person waits for the sweep's transaction (and the next sweep reads the new
 * date) instead of racing it.
 */

export interface ReminderKey {
	subjectKind: ReminderSubjectKind;
	subjectId: string;
	stage: string;
	dueOn: string;
}

export const reminderKeyString = (key: ReminderKey) =>
	`${key.subjectKind}:${key.subjectId}:${key.stage}:${key.dueOn}`;

/**
 * Records fired stages; a stage already recorded is skipped (ON CONFLICT DO NOTHING). Returns
 * the keys this call recorded: only those may send their messages. Set-based: the keys travel
 * as one JSON parameter per chunk (json_to_recordset), not a bound parameter per cell.
 */
export async function insertReminders(
	tx: Tx,
	tenantId: string,
	firedOn: string,
	keys: ReminderKey[]
): Promise<Set<string>> {
	const recorded = new Set<string>();
	for (let i = 0; i < keys.length; i += 5000) {
		const chunk = keys.slice(i, i + 5000).map((key) => ({
			k: key.subjectKind,
			s: key.subjectId,
			st: key.stage,
			d: key.dueOn
		}));
		const rows = await sql<{ key: string }>`
			insert into reminders (tenant_id, subject_kind, subject_id, stage, due_on, fired_on)
			select ${tenantId}::uuid, x.k, x.s, x.st, x.d, ${firedOn}::date
			from json_to_recordset(${JSON.stringify(chunk)}::json) as x(k text, s uuid, st text, d date)
			on conflict (tenant_id, subject_kind, subject_id, stage, due_on) do nothing
			returning subject_kind || ':' || subject_id || ':' || stage || ':' || to_char(due_on, 'YYYY-MM-DD') as key`.execute(
			tx
		);
		for (const row of rows.rows) recorded.add(row.key);
	}
	return recorded;
}

/** Open nonconformities due on or before `lastDay`, by id after `afterId` (keyset pages). */
export function openNonconformitiesDueBy(
	tx: Tx,
	lastDay: string,
	afterId: string | null,
	limit: number
) {
	let query = findingsWithOrganisation(tx)
		.leftJoin('certificates', tenantJoin('certificates', 'evaluations.certificate_id'))
		.select([
			'findings.id',
			'findings.reference',
			'findings.statement',
			'findings.grade',
			'findings.due_on',
			'findings.version',
			'evaluations.id as evaluation_id',
			'evaluations.organisation_id',
			'evaluations.standard_id',
			'organisations.legal_name as organisation_name',
			'certificates.id as certificate_id',
			'certificates.number as certificate_number',
			'certificates.suspension_due_by'
		])
		.select((eb) => leadOf(eb, 'evaluations.id').as('lead_user_id'))
		.where('findings.kind', '=', 'nonconformity')
		.where('findings.status', '<>', 'closed')
		.where('findings.due_on', '<=', lastDay);
	if (afterId) query = query.where('findings.id', '>', afterId);
	return query.orderBy('findings.id').limit(limit).forShare('findings').execute();
}

/** Findings whose follow-up effectiveness check has come and has not reopened verification yet. */
export function followUpChecksDue(tx: Tx, today: string) {
	return findingsWithOrganisation(tx)
		.select([
			'findings.id',
			'findings.reference',
			'findings.follow_up_check_on',
			'findings.verification_reopened_on',
			'organisations.legal_name as organisation_name'
		])
		.select((eb) => leadOf(eb, 'evaluations.id').as('lead_user_id'))
		.select(
			sql<
				string | null
			>`(select s.verdict_by from evidence_submissions s where s.tenant_id = findings.tenant_id and s.finding_id = findings.id and s.verdict_by is not null order by s.verdict_at desc limit 1)`.as(
				'verifier_user_id'
			)
		)
		.where('findings.follow_up_check_on', '<=', today)
		.where((eb) =>
			eb.or([
				eb('findings.verification_reopened_on', 'is', null),
				eb('findings.verification_reopened_on', '<', eb.ref('findings.follow_up_check_on'))
			])
		)
		.forShare('findings')
		.execute();
}

/** Certificates the chase watches (active or suspended), with what their clocks need. */
export function watchedCertificates(tx: Tx) {
	return certificatesWithOrganisation(tx)
		.select([
			'certificates.id',
			'certificates.number',
			'certificates.status',
			'certificates.organisation_id',
			'certificates.standard_id',
			'certificates.issued_on',
			'certificates.decided_on',
			'certificates.expires_on',
			'certificates.withdrawal_proposed_on',
			'organisations.legal_name as organisation_name'
		])
		.select(
			sql<
				string | null
			>`(select max(e.window_end) from evaluations e where e.tenant_id = certificates.tenant_id and e.certificate_id = certificates.id and e.kind = 'surveillance' and e.status = 'closed')`.as(
				'last_surveillance_ended_on'
			)
		)
		.select(
			sql<
				string | null
			>`(select t.user_id from evaluations e join evaluation_team_members t on t.tenant_id = e.tenant_id and t.evaluation_id = e.id and t.team_role = 'lead' where e.tenant_id = certificates.tenant_id and e.certificate_id = certificates.id order by e.window_end desc limit 1)`.as(
				'last_lead_user_id'
			)
		)
		.select((eb) => suspensionStart(eb).as('suspended_on'))
		.where('certificates.status', 'in', ['active', 'suspended'])
		.forShare('certificates')
		.execute();
}

/** Raises the "suspension due" flag: the earliest date by which to suspend wins. */
export async function flagSuspensionDue(tx: Tx, certificateId: string, suspendBy: string) {
	return tx
		.updateTable('certificates')
		.set({
			suspension_due_by: sql`least(coalesce(suspension_due_by, ${suspendBy}::date), ${suspendBy}::date)`,
			updated_at: new Date()
		})
		.where('id', '=', certificateId)
		.returning(['id', 'suspension_due_by'])
		.executeTakeFirst();
}

/** The scheme rule "an overdue minor becomes a major". Null when it is no longer a minor. */
export async function regradeMinorToMajor(tx: Tx, findingId: string, today: string) {
	return tx
		.updateTable('findings')
		.set({
			grade: 'major',
			regraded_by_rule_on: today,
			version: sql`version + 1`,
			updated_at: new Date()
		})
		.where('id', '=', findingId)
		.where('grade', '=', 'minor')
		.returning(['id', 'grade', 'version'])
		.executeTakeFirst();
}

export async function reopenVerification(tx: Tx, findingId: string, today: string) {
	await tx
		.updateTable('findings')
		.set({ verification_reopened_on: today, updated_at: new Date() })
		.where('id', '=', findingId)
		.execute();
}

/** Expires a certificate with its history row. Null when it was already no longer valid. */
export async function expireCertificate(
	tx: Tx,
	tenantId: string,
	certificateId: string,
	today: string
) {
	const before = await tx
		.selectFrom('certificates')
		.select(['status'])
		.where('id', '=', certificateId)
		.where('status', 'in', ['active', 'suspended'])
		.forUpdate()
		.executeTakeFirst();
	if (!before) return null;
	await tx
		.updateTable('certificates')
		.set({ status: 'expired', version: sql`version + 1`, updated_at: new Date() })
		.where('id', '=', certificateId)
		.execute();
	await tx
		.insertInto('certificate_history')
		.values({
			tenant_id: tenantId,
			certificate_id: certificateId,
			change: 'expired',
			from_status: before.status,
			to_status: 'expired',
			effective_on: today,
			recorded_by: null
		})
		.execute();
	return { fromStatus: before.status };
}

export async function proposeWithdrawal(tx: Tx, certificateId: string, today: string) {
	await tx
		.updateTable('certificates')
		.set({ withdrawal_proposed_on: today, updated_at: new Date() })
		.where('id', '=', certificateId)
		.execute();
}
