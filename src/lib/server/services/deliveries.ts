import type { AppDatabase } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import { Refusal, notFound } from '../errors';
import { authorize } from './authorize';
import { auditAs } from './audit-entry';
import { countOutboxByStatus, listDeliveries, retryFailedMessage } from '../repositories/outbox';
import { findDeliveryStatus } from '../repositories/deliveries';
import { chaseMode } from '../runtime';
import type { OutboxStatus } from '../../../../db/schema';

export const DELIVERIES_PAGE_SIZE = 100;

/** The admin Deliveries page: the newest outbox rows (optionally of one status) and counts. */
export async function listDeliveryPage(
	db: AppDatabase,
	actor: Actor,
	options: { status?: OutboxStatus; before?: Date } = {}
) {
	authorize(actor, 'mail.deliveries');
	return db.inTenant(scopeOf(actor), async (tx) => {
		const rows = await listDeliveries(tx, { ...options, limit: DELIVERIES_PAGE_SIZE + 1 });
		const counts = await countOutboxByStatus(tx);
		return {
			rows: rows.slice(0, DELIVERIES_PAGE_SIZE).map(withoutSecretLink),
			more: rows.length > DELIVERIES_PAGE_SIZE,
			counts: Object.fromEntries(counts.map((c) => [c.status, Number(c.n)])),
			mode: chaseMode()
		};
	});
}

/**
 * A password reset link opens the person's account (in every body they work for): the body's
 * admin sees that it was sent, never the link itself.
 */
function withoutSecretLink<Row extends { template: string; link: string }>(row: Row): Row {
	return row.template === 'person.password_reset'
		? { ...row, link: row.link.replace(/\/reset-password\/.*$/, '/reset-password/…') }
		: row;
}

/** Sends a failed message again: back to pending, audit-logged with it. */
export async function retryDelivery(db: AppDatabase, actor: Actor, id: string): Promise<void> {
	authorize(actor, 'mail.deliveries');
	await db.inTenant(scopeOf(actor), async (tx) => {
		const row = await findDeliveryStatus(tx, id);
		if (!row) throw notFound();
		if (row.status !== 'failed' || !(await retryFailedMessage(tx, id)))
			throw new Refusal('CONFLICT', 'mailui_retry_not_failed', undefined, 'id');
		await auditAs(tx, actor, 'outbox.retry', 'outbox', id, {
			before: { status: 'failed' },
			after: { status: 'pending' }
		});
	});
}
