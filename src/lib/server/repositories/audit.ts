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
			after: entry.after === undefined ? null : JSON.stringify(entry.after)
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
