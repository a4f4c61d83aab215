import { sql } from 'kysely';
import type { Tx } from '../db/tenant-scope';
import type { ReminderSubjectKind } from '../../../../db/schema';
import { tenantJoin } from './tenant-join';
import { certificatesWithOrganisation, findingsWithOrganisation, leadOf } from './joins';
import { suspensionStart } from './certificate-flags';
import { LAST_SURVEILLANCE_ENDED_ON, RENEWED_ON } from './certificates';

/*
 * What the clocks read and write (issue 7). The per-row reads take FOR SHARE on the subject rows,
 * so a due date changed by a person waits for the sweep's transaction (and the next sweep reads
 * the new date) instead of racing it. The nonconformity reminders, by far the most rows, are
 * written by one statement that re-reads the current due date instead (fireDueReminders).
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

/**
 * The distinct (due date, grade, standard, organisation) of open nonconformities due on or before
 * `lastDay`: what the stages and the audience depend on, a handful of rows for thousands of
 * findings (the bulk reminders compute their stages from these, fireDueReminders writes them).
 */
export function openNonconformityDueDates(tx: Tx, lastDay: string) {
	return tx
		.selectFrom('findings')
		.innerJoin('evaluations', tenantJoin('evaluations', 'findings.evaluation_id'))
		.select([
			'findings.due_on',
			'findings.grade',
			'evaluations.standard_id',
			'evaluations.organisation_id'
		])
		.distinct()
		.where('findings.kind', '=', 'nonconformity')
		.where('findings.status', '<>', 'closed')
		.where('findings.due_on', '<=', lastDay)
		.execute();
}

/** A reminder stage of every open nonconformity due on `dueOn`, and the template it sends. */
export interface BulkReminderStage {
	dueOn: string;
	stage: string;
	template: string;
	/** The `days` value of the message (null when the template shows none). */
	days: number | null;
	/** The row values the template does not show (taken out of the stored params). */
	drop: string[];
}

/**
 * The subject and body sentence for (due date, locale), rendered by the mail layer with the
 * per-finding values as markers (`\u001f<field>\u001f`, field `reference` or `statement`) that
 * this statement replaces by the finding's own.
 */
export interface BulkReminderWording {
	dueOn: string;
	locale: string;
	subject: string;
	body: string;
}

/** One addressee of an organisation's reminders (already one per address, user copies first). */
export interface BulkReminderRecipient {
	organisationId: string;
	email: string;
	/** The address lowercased, as the outbox dedupe key holds it. */
	address: string;
	name: string;
	userId: string | null;
	locale: string;
	status: 'pending' | 'held';
}

/**
 * The nonconformity reminders of a whole tenant in one statement: the due findings are found,
 * their reminder rows recorded, and the outbox rows and notifications of the rows recorded here
 * written, all inside PostgreSQL (data-modifying CTEs) — nothing per finding travels to Node and
 * back. Returns how many stages fired and the ids of the outbox rows pending delivery.
 *
 * No row lock. `due` reads each finding's current, committed due date in this statement's own
 * snapshot and keeps it only when it is one of `stages`' dates; the reminder, its messages and
 * their texts all take that date from the same row read. So a due date moved before the
 * statement started is seen (the old stage does not fire; the new date fires its own stage, from
 * its own key, when its day comes), and a move committed after it started leaves a reminder that
 * was right at the instant it was decided — what FOR SHARE gave, where the move waited for the
 * sweep, minus the move's wait and the 100,000 tuple locks. A stage fires once, ever: the reminder
 * insert skips a key already present (ON CONFLICT DO NOTHING waits for a parallel sweep holding
 * the same key and then skips it), and only the rows this statement inserted (`fired`) get
 * messages; the outbox's own dedupe key is a second guard.
 */
export async function fireDueReminders(
	tx: Tx,
	input: {
		tenantId: string;
		firedOn: string;
		tenantName: string;
		/** Absolute URL a finding's id is appended to (its page). */
		linkPrefix: string;
		/** Host part of the Message-IDs. */
		host: string;
		stages: BulkReminderStage[];
		wording: BulkReminderWording[];
		recipients: BulkReminderRecipient[];
	}
): Promise<{ fired: number; outboxIds: string[] }> {
	if (input.stages.length === 0) return { fired: 0, outboxIds: [] };
	const stages = input.stages.map((s) => ({
		due_on: s.dueOn,
		stage: s.stage,
		template: s.template,
		days: s.days,
		drop: s.drop
	}));
	const wording = input.wording.map((w) => ({
		due_on: w.dueOn,
		locale: w.locale,
		subject: w.subject,
		body: w.body
	}));
	const recipients = input.recipients.map((r) => ({
		organisation_id: r.organisationId,
		email: r.email,
		address: r.address,
		name: r.name,
		user_id: r.userId,
		locale: r.locale,
		status: r.status
	}));
	// A value holding the marker character could forge another marker: it is taken out first.
	const { rows } = await sql<{ fired: number; ids: string[] }>`
		with stage as (
			select * from json_to_recordset(${JSON.stringify(stages)}::json)
				as s(due_on date, stage text, template text, days int, drop text[])
		), wording as (
			select * from json_to_recordset(${JSON.stringify(wording)}::json)
				as w(due_on date, locale text, subject text, body text)
		), audience as (
			select * from json_to_recordset(${JSON.stringify(recipients)}::json)
				as a(organisation_id uuid, email text, address text, name text, user_id uuid,
					locale text, status text)
		), due as (
			select f.id, f.due_on, s.stage, s.template, e.organisation_id,
				replace(f.reference, chr(31), '') as reference,
				replace(f.statement, chr(31), '') as statement,
				jsonb_build_object('reference', f.reference, 'days', s.days,
					'dueOn', to_char(f.due_on, 'YYYY-MM-DD'), 'statement', f.statement) - s.drop as vals,
				'reminder:finding:' || f.id || ':' || s.stage || ':' || to_char(f.due_on, 'YYYY-MM-DD')
					as dedupe_key
			from findings f
			join evaluations e on e.tenant_id = f.tenant_id and e.id = f.evaluation_id
			join stage s on s.due_on = f.due_on
			where f.kind = 'nonconformity' and f.status <> 'closed'
		), fired as (
			insert into reminders (tenant_id, subject_kind, subject_id, stage, due_on, fired_on)
			select ${input.tenantId}::uuid, 'finding', id, stage, due_on, ${input.firedOn}::date from due
			on conflict (tenant_id, subject_kind, subject_id, stage, due_on) do nothing
			returning subject_id, stage, due_on
		), message as (
			select gen_random_uuid() as id, d.id as finding_id, d.template, d.dedupe_key, a.email,
				a.address, a.name, a.user_id, a.locale, a.status, d.vals,
				replace(replace(w.subject, chr(31) || 'reference' || chr(31), d.reference),
					chr(31) || 'statement' || chr(31), d.statement) as subject,
				replace(replace(w.body, chr(31) || 'reference' || chr(31), d.reference),
					chr(31) || 'statement' || chr(31), d.statement) as body
			from fired r
			join due d on d.id = r.subject_id and d.stage = r.stage and d.due_on = r.due_on
			join audience a on a.organisation_id = d.organisation_id
			join wording w on w.due_on = d.due_on and w.locale = a.locale
		), sent as (
			insert into outbox (id, tenant_id, dedupe_key, template, to_email, locale, subject, link,
				message_id, recipient_user_id, status, params)
			select id, ${input.tenantId}::uuid, dedupe_key || ':' || address, template, email, locale,
				subject, ${input.linkPrefix} || finding_id, '<' || id || '@' || ${input.host} || '>',
				user_id, status,
				jsonb_build_object('values', vals, 'recipientName', name, 'tenantName', ${input.tenantName}::text)
			from message
			on conflict (tenant_id, dedupe_key) do nothing
			returning id, status
		), noted as (
			insert into notifications (tenant_id, user_id, template, title, body, link, dedupe_key)
			select ${input.tenantId}::uuid, user_id, template, subject, body,
				${input.linkPrefix} || finding_id, dedupe_key
			from message where user_id is not null
			on conflict (tenant_id, user_id, dedupe_key) do nothing
		)
		select (select count(*) from fired)::int as fired,
			coalesce((select json_agg(id) from sent where status = 'pending'), '[]'::json) as ids`.execute(tx);
	const row = rows[0];
	return { fired: row?.fired ?? 0, outboxIds: row?.ids ?? [] };
}

/**
 * Open nonconformities due on or before `lastDay` (on one of `dueDates` when given), by id after
 * `afterId` (keyset pages).
 */
export function openNonconformitiesDueBy(
	tx: Tx,
	lastDay: string,
	afterId: string | null,
	limit: number,
	dueDates?: string[]
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
	if (dueDates) query = query.where('findings.due_on', 'in', dueDates);
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
		.select(LAST_SURVEILLANCE_ENDED_ON.as('last_surveillance_ended_on'))
		.select(RENEWED_ON.as('renewed_on'))
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

/**
 * Expires a certificate with its history row, dated `effectiveOn` (the day after its last valid
 * day, however late the sweep runs: the public verification replays the history by date). Null
 * when it was already no longer valid.
 */
export async function expireCertificate(
	tx: Tx,
	tenantId: string,
	certificateId: string,
	effectiveOn: string
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
			effective_on: effectiveOn,
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
