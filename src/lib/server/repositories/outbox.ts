import { sql } from 'kysely';
import type { Tx } from '../db/tenant-scope';

/** Claims due messages of the current tenant; SKIP LOCKED lets several workers share the queue. */
export function claimDueMessages(tx: Tx, now: Date, limit: number) {
	return tx
		.selectFrom('outbox')
		.selectAll()
		.where('status', '=', 'pending')
		.where('next_attempt_at', '<=', now)
		.orderBy('next_attempt_at')
		.limit(limit)
		.forUpdate()
		.skipLocked()
		.execute();
}

export async function markSent(tx: Tx, id: string, now: Date) {
	await tx
		.updateTable('outbox')
		.set({ status: 'sent', sent_at: now, attempts: sql`attempts + 1`, last_error: null })
		.where('id', '=', id)
		.execute();
}

export async function markFailedAttempt(
	tx: Tx,
	id: string,
	error: string,
	nextAttemptAt: Date | null
) {
	await tx
		.updateTable('outbox')
		.set({
			status: nextAttemptAt ? 'pending' : 'failed',
			attempts: sql`attempts + 1`,
			last_error: error.slice(0, 1000),
			...(nextAttemptAt ? { next_attempt_at: nextAttemptAt } : {})
		})
		.where('id', '=', id)
		.execute();
}
