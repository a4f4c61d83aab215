import { sql } from 'kysely';
import type { Database } from '../../../../db/schema';
import type { Tx } from '../db/tenant-scope';
import { personName } from './joins';

export interface AuditEntry {
	tenantId: string;
	actorUserId: string | null;
	/** What happened, as `entity.verb`: `organisation.create`, `membership.grant`. */
	action: string;
	entityType: string;
	entityId: string;
	before?: unknown;
	after?: unknown;
	/**
	 * When it happened, for a step replayed at its own time (the demo's past, issue 10 §12);
	 * unset: the database's clock. The chain keeps it only between its previous entry and now
	 * (migration 2026-12-03-02), so no entry moves before another or into the future.
	 */
	at?: Date;
}

/** Appends to the tenant's hash chain; the database trigger assigns seq, prev_hash and hash. */
export async function recordAudit(tx: Tx, entry: AuditEntry): Promise<void> {
	await tx
		.insertInto('audit_log')
		.values({
			tenant_id: entry.tenantId,
			actor_user_id: entry.actorUserId,
			action: entry.action,
			entity_type: entry.entityType,
			entity_id: entry.entityId,
			before: entry.before === undefined ? null : JSON.stringify(entry.before),
			after: entry.after === undefined ? null : JSON.stringify(entry.after),
			created_at: entry.at
		})
		.execute();
}

/** Audit entries as a history panel shows them, oldest first, with who made each. */
export function historyEntries(tx: Tx) {
	return tx
		.selectFrom('audit_log')
		.select((eb) => [
			'audit_log.seq',
			'audit_log.action',
			'audit_log.before',
			'audit_log.after',
			'audit_log.created_at',
			personName(eb, 'audit_log.actor_user_id').as('actor_name')
		])
		.orderBy('audit_log.seq');
}

export function listAuditForEntity(tx: Tx, entityType: string, entityId: string) {
	return historyEntries(tx)
		.where('audit_log.entity_type', '=', entityType)
		.where('audit_log.entity_id', '=', entityId)
		.execute();
}

/** What a recorded id stands for, so a history panel names it instead of printing the id. */
export interface NamedId {
	id: string;
	/** The kind of thing: evaluation, finding, certificate, organisation, user, … */
	type: string;
	/** Its name or reference as stored (a finding's NC-1, a certificate's number, a name). */
	label: string;
	/** The English name where the row has one of its own (a grade scale, an obligation). */
	label_en: string | null;
	/** What the label is in words when it is an enumeration (an evaluation's kind, a decision's). */
	kind: string | null;
	/** A date that tells two alike apart (an evaluation's window start). */
	on: string | null;
}

/**
 * The names of the ids an audit entry carries, looked up in the tenant's own rows (RLS keeps it
 * to them). One round trip whatever the number of ids; an id of nothing known is left out.
 */
export async function namesOfIds(tx: Tx, ids: readonly string[]): Promise<NamedId[]> {
	if (ids.length === 0) return [];
	const list = sql`any(${[...ids]}::uuid[])`;
	const kinds = NAMED_KINDS.map(
		({ type, table, label, labelEn = 'null', kind = 'null', on = 'null' }) =>
			sql`select id::text, ${sql.lit(type)} as type, ${sql.raw(label)} as label,
				${sql.raw(labelEn)} as label_en, ${sql.raw(kind)} as kind, ${sql.raw(on)} as "on"
				from ${sql.table(table)} where id = ${list}`
	);
	// A person is named only when a member of this tenant (users are not tenant rows).
	const people = sql`select u.id::text, 'user', u.name, null, null, null from users u
		where u.id = ${list} and exists (select 1 from memberships ms where ms.user_id = u.id)`;
	const result = await sql<NamedId>`${sql.join([...kinds, people], sql` union all `)}`.execute(tx);
	return result.rows;
}

/** The tenant rows an id may name, and the SQL of what names one (columns of that table). */
const NAMED_KINDS: readonly {
	type: string;
	table: keyof Database;
	label: string;
	labelEn?: string;
	kind?: string;
	on?: string;
}[] = [
	{ type: 'evaluation', table: 'evaluations', label: "''", kind: 'kind', on: 'window_start::text' },
	{ type: 'finding', table: 'findings', label: 'reference', kind: 'kind' },
	{ type: 'certificate', table: 'certificates', label: 'number' },
	{ type: 'organisation', table: 'organisations', label: 'legal_name' },
	{ type: 'standard', table: 'standards', label: 'code' },
	{ type: 'clause', table: 'clauses', label: 'number' },
	{ type: 'evidence', table: 'evidence', label: 'original_name' },
	{ type: 'decision', table: 'decisions', label: "''", kind: 'kind', on: 'decided_on::text' },
	{ type: 'grade_level', table: 'grade_levels', label: 'label_zh', labelEn: 'label_en' },
	{ type: 'grade_scale', table: 'grade_scales', label: 'name_zh', labelEn: 'name_en' },
	{ type: 'contact', table: 'contacts', label: 'name' },
	{ type: 'obligation', table: 'recurring_obligations', label: 'title_zh', labelEn: 'title_en' },
	// A membership or an invitation by the person it is for.
	{
		type: 'membership',
		table: 'memberships',
		label: '(select u.name from users u where u.id = user_id)'
	},
	{ type: 'membership_invitation', table: 'membership_invitations', label: 'email' },
	{ type: 'complaint', table: 'complaints', label: 'reference' },
	{ type: 'document', table: 'documents', label: 'code' },
	// The organisation's service system (issue 12 item 5): a commitment by its first words.
	{
		type: 'service_commitment',
		table: 'service_commitments',
		label: 'left(text_zh, 40)',
		labelEn: "left(coalesce(nullif(text_en, ''), text_zh), 40)"
	},
	{
		type: 'service_objective',
		table: 'service_objectives',
		label: 'title_zh',
		labelEn: "coalesce(nullif(title_en, ''), title_zh)"
	},
	{ type: 'service_outlet', table: 'service_outlets', label: 'name' },
	{
		type: 'service_measurement',
		table: 'service_objective_measurements',
		label: `(select o.title_zh from service_objectives o where o.id = objective_id) || ' ' || period_start::text`,
		labelEn: `(select coalesce(nullif(o.title_en, ''), o.title_zh) from service_objectives o where o.id = objective_id) || ' ' || period_start::text`
	},
	// A due item by its obligation and period ("月度投诉统计 2026-11-01").
	{
		type: 'obligation_due_item',
		table: 'obligation_due_items',
		label: `(select ro.title_zh from recurring_obligations ro where ro.id = obligation_id) || ' ' || period_start::text`,
		labelEn: `(select coalesce(nullif(ro.title_en, ''), ro.title_zh) from recurring_obligations ro where ro.id = obligation_id) || ' ' || period_start::text`
	}
];
