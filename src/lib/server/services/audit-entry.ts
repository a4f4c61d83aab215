import type { Tx } from '../db/tenant-scope';
import type { Actor } from '../actor';
import { recordAudit, type AuditEntry } from '../repositories/audit';

/** What a change was and became, as the audit log stores it (either side may be left out). */
export interface AuditChange {
	before?: unknown;
	after?: unknown;
	/** When it happened, if not now (the demo's story); the log keeps it only in order. */
	at?: Date;
}

/**
 * The audit entry every use case writes in its own transaction: `who` did `action` to the entity.
 * `who` is the actor acting in their tenant, or, where a person answers an invitation before
 * they are a member, the invitation's tenant and the person; or, where a visitor with no account
 * acts on a public page (a complaint filed), the body's tenant and no person.
 */
export function auditAs(
	tx: Tx,
	who: Pick<Actor, 'tenantId'> & { userId: string | null },
	action: AuditEntry['action'],
	entityType: AuditEntry['entityType'],
	entityId: string,
	change: AuditChange = {}
): Promise<void> {
	return recordAudit(tx, {
		tenantId: who.tenantId,
		actorUserId: who.userId,
		action,
		entityType,
		entityId,
		...change
	});
}
