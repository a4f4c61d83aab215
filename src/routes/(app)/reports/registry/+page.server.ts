import type { PageServerLoad } from './$types';
import { pageLoad } from '$lib/server/pages';
import { registryPeriod, registryPreview } from '$lib/server/services/registry-export';
import { lastMonth } from '$lib/server/domain/registry-export';
import { todayInZone } from '$lib/server/domain/calendar';

/** Registry exports (issue 13 item 5): the period's certificate changes, previewed, and the two files. */
export const load = pageLoad('registry.export', async ({ db, actor, event: { url } }) => {
	const period = registryPeriod(url.searchParams, actor);
	return {
		...(await registryPreview(db, actor, period)),
		lastMonth: lastMonth(todayInZone(new Date(), actor.tenant.timeZone))
	};
}) satisfies PageServerLoad;
