import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { loadOrRefuse } from '$lib/server/forms';
import { formAction } from '$lib/server/pages';
import { chaseStatus } from '$lib/server/chase-status';
import { listDeliveryPage, retryDelivery } from '$lib/server/services/deliveries';
import {
	DELIVERY_STATUSES,
	deliveryFilter,
	retryDeliveryInput
} from '$lib/server/services/deliveries.schema';

export const load: PageServerLoad = async ({ locals, url }) => {
	const actor = requireActor(locals, 'mail.deliveries');
	const app = await runtimeApp();
	const { db } = app;
	const { status } = deliveryFilter.parse({ status: url.searchParams.get('status') ?? undefined });
	const beforeParam = url.searchParams.get('before');
	const before = beforeParam && !isNaN(Date.parse(beforeParam)) ? new Date(beforeParam) : undefined;
	const page = await loadOrRefuse(locals.locale, () =>
		listDeliveryPage(db, actor, { status, before })
	);
	const last = page.rows.at(-1);
	return {
		...page,
		rows: page.rows.map((row) => ({
			...row,
			created_at: row.created_at.toISOString(),
			sent_at: row.sent_at?.toISOString() ?? null
		})),
		status: status ?? '',
		timeZone: actor.tenant.timeZone,
		chase: chaseStatus(app),
		statuses: [...DELIVERY_STATUSES],
		older:
			page.more && last
				? `?${new URLSearchParams({ ...(status ? { status } : {}), before: last.created_at.toISOString() })}`
				: null
	};
};

export const actions: Actions = {
	retry: formAction('mail.deliveries', retryDeliveryInput, async ({ db, actor, input: { id } }) => {
		await retryDelivery(db, actor, id);
		return { retried: id };
	})
};
