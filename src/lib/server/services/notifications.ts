import type { AppDatabase } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import { notFound } from '../errors';
import { authorize } from './authorize';
import { listNotifications, markNotificationsRead } from '../repositories/notifications';
import { findMailMode, findOwnNotification, setMailMode } from '../repositories/notification-list';
import type { MailMode } from '../../../../db/schema';

/** The bell: one count query. */
export function myNotifications(db: AppDatabase, actor: Actor) {
	authorize(actor, 'notifications.read');
	return db.inTenant(scopeOf(actor), async (tx) => ({
		items: await listNotifications(tx, actor.userId, 100),
		mailMode: await findMailMode(tx, actor.userId)
	}));
}

/** Marks one of the person's own notifications read; anyone else's id is not found. */
export async function markRead(db: AppDatabase, actor: Actor, id: string): Promise<void> {
	authorize(actor, 'notifications.read');
	await db.inTenant(scopeOf(actor), async (tx) => {
		if (!(await findOwnNotification(tx, actor.userId, id))) throw notFound();
		await markNotificationsRead(tx, actor.userId, id);
	});
}

export async function markAllRead(db: AppDatabase, actor: Actor): Promise<number> {
	authorize(actor, 'notifications.read');
	return db.inTenant(scopeOf(actor), (tx) => markNotificationsRead(tx, actor.userId, null));
}

export async function chooseMailMode(db: AppDatabase, actor: Actor, mode: MailMode) {
	authorize(actor, 'notifications.read');
	await db.asPerson(actor.userId, (tx) => setMailMode(tx, actor.userId, mode));
}
