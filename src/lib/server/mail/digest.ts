import type { AppDatabase } from '../db/tenant-scope';
import { todayInZone } from '../domain/calendar';
import { findTenantForMail, usersAsRecipients } from '../repositories/recipients';
import { listHeldMessages, markDigested } from '../repositories/outbox';
import { insertOutboxRows } from '../repositories/outbox';
import { randomUUID } from 'node:crypto';
import { renderSummary } from './templates';
import { mailOrigin, type StoredParams } from './outbox';

/**
 * The daily digest: each person who chose it gets one message a day listing what was held for
 * them before today (in the tenant's time zone). The digest's key (person, day) makes it once a
 * day whatever the number of runs; the held rows become 'digested' in the same transaction.
 */
export async function sendDigests(
	db: AppDatabase,
	tenantId: string,
	now: Date = new Date()
): Promise<string[]> {
	return db.inTenant({ tenantId, userId: null }, async (tx) => {
		const tenant = await findTenantForMail(tx, tenantId);
		const today = todayInZone(now, tenant.time_zone);
		const held = (await listHeldMessages(tx, now)).filter(
			(row) => row.recipient_user_id && todayInZone(row.created_at, tenant.time_zone) < today
		);
		const byPerson = new Map<string, typeof held>();
		for (const row of held) {
			const list = byPerson.get(row.recipient_user_id!) ?? [];
			list.push(row);
			byPerson.set(row.recipient_user_id!, list);
		}
		const origin = mailOrigin();
		const host = new URL(origin).hostname || 'certtrack.local';
		const written: string[] = [];
		for (const [userId, rows] of byPerson) {
			const [person] = await usersAsRecipients(tx, [userId]);
			if (!person) continue;
			const locale = person.locale ?? tenant.default_locale;
			const values = { count: rows.length, date: today };
			const params: StoredParams = {
				values,
				recipientName: person.name,
				tenantName: tenant.name,
				items: rows.map((row) => ({ title: row.subject, link: row.link }))
			};
			const id = randomUUID();
			const inserted = await insertOutboxRows(tx, [
				{
					id,
					tenantId,
					dedupeKey: `digest:${userId}:${today}`,
					template: 'digest',
					toEmail: person.email,
					locale,
					subject: renderSummary('digest', values, locale).subject,
					link: `${origin}/`,
					messageId: `<${id}@${host}>`,
					recipientUserId: userId,
					status: 'pending',
					params: { ...params }
				}
			]);
			// Today's digest already went out: what is left waits for tomorrow's.
			if (inserted.length === 0) continue;
			written.push(...inserted);
			await markDigested(
				tx,
				rows.map((row) => row.id)
			);
		}
		return written;
	});
}
