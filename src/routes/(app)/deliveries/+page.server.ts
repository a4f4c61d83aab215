import type { Actions, PageServerLoad } from './$types';
import { formAction, pageLoad } from '$lib/server/pages';
import { chaseStatus } from '$lib/server/chase-status';
import { listDeliveryPage, retryDelivery } from '$lib/server/services/deliveries';
import {
	DELIVERY_STATUSES,
	deliveryFilter,
	retryDeliveryInput
} from '$lib/server/services/deliveries.schema';

export const load = pageLoad('mail.deliveries', async ({ app, db, actor, event: { url } }) => {
	const { status } = deliveryFilter.parse({ status: url.searchParams.get('status') ?? undefined });
	const beforeParam = url.searchParams.get('before');
	const before = beforeParam && !isNaN(Date.parse(beforeParam)) ? new Date(beforeParam) : undefined;
	const page = await listDeliveryPage(db, actor, { status, before });
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
}) satisfies PageServerLoad;

export const actions: Actions = {
	retry: formAction('mail.deliveries', retryDeliveryInput, async ({ db, actor, input: { id } }) => {
		await retryDelivery(db, actor, id);
		return { retried: id };
	})
};
