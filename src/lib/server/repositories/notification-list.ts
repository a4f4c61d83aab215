import type { Tx } from '../db/tenant-scope';
import type { MailMode } from '../../../../db/schema';

/** One of the person's own notifications (someone else's is not found). */
export function findOwnNotification(tx: Tx, userId: string, id: string) {
	return tx
		.selectFrom('notifications')
		.select(['id', 'read_at'])
		.where('id', '=', id)
		.where('user_id', '=', userId)
		.executeTakeFirst();
}

export async function findMailMode(tx: Tx, userId: string): Promise<MailMode> {
	const row = await tx
		.selectFrom('users')
		.select('mail_mode')
		.where('id', '=', userId)
		.executeTakeFirst();
	return row?.mail_mode ?? 'immediate';
}

export async function setMailMode(tx: Tx, userId: string, mode: MailMode): Promise<void> {
	await tx.updateTable('users').set({ mail_mode: mode }).where('id', '=', userId).execute();
}
