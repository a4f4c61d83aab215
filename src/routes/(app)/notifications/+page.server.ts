import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { loadOrRefuse, submitForm } from '$lib/server/forms';
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

export const load: PageServerLoad = async ({ locals }) => {
	const actor = requireActor(locals, 'notifications.read');
	const { db } = await runtimeApp();
	const { items, mailMode } = await loadOrRefuse(locals.locale, () => myNotifications(db, actor));
	return {
		mailMode,
		items: items.map((item) => ({
			...item,
			created_at: item.created_at.toISOString(),
			read_at: item.read_at?.toISOString() ?? null
		}))
	};
};

export const actions: Actions = {
	read: async ({ request, locals }) => {
		const actor = requireActor(locals, 'notifications.read');
		const { db } = await runtimeApp();
		return submitForm(request, locals.locale, markReadInput, async ({ id }) => {
			await markRead(db, actor, id);
			return { read: id };
		});
	},
	readAll: async ({ request, locals }) => {
		const actor = requireActor(locals, 'notifications.read');
		const { db } = await runtimeApp();
		return submitForm(request, locals.locale, markAllReadInput, async () => ({
			readAll: await markAllRead(db, actor)
		}));
	},
	mailMode: async ({ request, locals }) => {
		const actor = requireActor(locals, 'notifications.read');
		const { db } = await runtimeApp();
		return submitForm(request, locals.locale, mailModeInput, async ({ mode }) => {
			await chooseMailMode(db, actor, mode);
			return { saved: mode };
		});
	}
};
