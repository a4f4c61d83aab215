import { sql } from 'kysely';
import type { Tx } from '../db/tenant-scope';

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

export function listAuditForEntity(tx: Tx, entityType: string, entityId: string) {
	return tx
		.selectFrom('audit_log')
		.leftJoin('users', 'users.id', 'audit_log.actor_user_id')
		.select([
			'audit_log.seq',
			'audit_log.action',
			'audit_log.before',
			'audit_log.after',
			'audit_log.created_at',
			'users.name as actor_name'
		])
		.where('audit_log.entity_type', '=', entityType)
		.where('audit_log.entity_id', '=', entityId)
		.orderBy('audit_log.seq')
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
	const result = await sql<NamedId>`
		select id::text, 'evaluation' as type, '' as label, null as label_en, kind,
			window_start::text as "on" from evaluations where id = ${list}
		union all select id::text, 'finding', reference, null, kind, null
			from findings where id = ${list}
		union all select id::text, 'certificate', number, null, null, null
			from certificates where id = ${list}
		union all select id::text, 'organisation', legal_name, null, null, null
			from organisations where id = ${list}
		union all select id::text, 'standard', code, null, null, null from standards where id = ${list}
		union all select id::text, 'clause', number, null, null, null from clauses where id = ${list}
		union all select id::text, 'evidence', original_name, null, null, null
			from evidence where id = ${list}
		union all select id::text, 'decision', '', null, kind, decided_on::text
			from decisions where id = ${list}
		union all select id::text, 'grade_level', label_zh, label_en, null, null
			from grade_levels where id = ${list}
		union all select id::text, 'grade_scale', name_zh, name_en, null, null
			from grade_scales where id = ${list}
		union all select id::text, 'contact', name, null, null, null from contacts where id = ${list}
		union all select id::text, 'obligation', title_zh, title_en, null, null
			from recurring_obligations where id = ${list}
		union all select u.id::text, 'user', u.name, null, null, null from users u
			where u.id = ${list} and exists (select 1 from memberships ms where ms.user_id = u.id)
	`.execute(tx);
	return result.rows;
}
