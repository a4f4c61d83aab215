import { sql } from 'kysely';
import type { Tx } from '../db/tenant-scope';
import { countOf } from './query';

export interface NewNotification {
	tenantId: string;
	userId: string;
	template: string;
	title: string;
	body: string;
	link: string;
	dedupeKey: string;
}

/**
 * Adds notifications; one per (person, dedupe key), so a retried write adds nothing. Each chunk
 * travels as one JSON parameter (json_to_recordset), as the outbox rows do.
 */
export async function insertNotifications(tx: Tx, rows: NewNotification[]): Promise<void> {
	for (let i = 0; i < rows.length; i += 2000) {
		const chunk = rows.slice(i, i + 2000).map((row) => ({
			tenant_id: row.tenantId,
			user_id: row.userId,
			template: row.template,
			title: row.title,
			body: row.body,
			link: row.link,
			dedupe_key: row.dedupeKey
		}));
		await sql`
			insert into notifications (tenant_id, user_id, template, title, body, link, dedupe_key)
			select tenant_id, user_id, template, title, body, link, dedupe_key
			from json_to_recordset(${JSON.stringify(chunk)}::json) as x(tenant_id uuid, user_id uuid,
				template text, title text, body text, link text, dedupe_key text)
			on conflict (tenant_id, user_id, dedupe_key) do nothing`.execute(tx);
	}
}

/** A person's notifications, newest first (the bell's list). */
export function listNotifications(tx: Tx, userId: string, limit = 50) {
	return tx
		.selectFrom('notifications')
		.select(['id', 'template', 'title', 'body', 'link', 'created_at', 'read_at'])
		.where('user_id', '=', userId)
		.orderBy('created_at', 'desc')
		.orderBy('id', 'desc')
		.limit(limit)
		.execute();
}

/** The bell's count. */
export function countUnreadNotifications(tx: Tx, userId: string): Promise<number> {
	return countOf(
		tx.selectFrom('notifications').where('user_id', '=', userId).where('read_at', 'is', null)
	);
}

/** Marks one (or, without an id, every) notification of the person read. */
export async function markNotificationsRead(
	tx: Tx,
	userId: string,
	id: string | null,
	now = new Date()
): Promise<number> {
	let query = tx
		.updateTable('notifications')
		.set({ read_at: now })
		.where('user_id', '=', userId)
		.where('read_at', 'is', null);
	if (id) query = query.where('id', '=', id);
	const result = await query.executeTakeFirst();
	return Number(result.numUpdatedRows);
}
