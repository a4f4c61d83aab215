import type { Actions, PageServerLoad } from './$types';
import { formAction, pageLoad } from '$lib/server/pages';
import {
	chooseMailMode,
	markAllRead,
	markRead,
	myNotifications
} from '$lib/server/services/notifications';
import {
	mailModeInput,
	markAllReadInput,
	markReadInput
} from '$lib/server/services/notifications.schema';

export const load = pageLoad('notifications.read', async ({ db, actor }) => {
	const { items, mailMode } = await myNotifications(db, actor);
	return {
		mailMode,
		items: items.map((item) => ({
			...item,
			created_at: item.created_at.toISOString(),
			read_at: item.read_at?.toISOString() ?? null
		}))
	};
}) satisfies PageServerLoad;

export const actions: Actions = {
	read: formAction('notifications.read', markReadInput, async ({ db, actor, input: { id } }) => {
		await markRead(db, actor, id);
		return { read: id };
	}),
	readAll: formAction('notifications.read', markAllReadInput, async ({ db, actor }) => ({
		readAll: await markAllRead(db, actor)
	})),
	mailMode: formAction('notifications.read', mailModeInput, async ({ db, actor, input }) => {
		await chooseMailMode(db, actor, input.mode);
		return { saved: input.mode };
	})
};
