import type { LayoutServerLoad } from './$types';
import { pageLoad } from '$lib/server/pages';
import { dashboardFigures } from '$lib/server/services/figures';

/*
 * The dashboard's figures, beside the page's own load (kept apart so the queues and the figures
 * are separate pieces of the page): the page includes them as <DashboardFigures />.
 */
export const load = pageLoad('dashboard.read', async ({ db, actor }) => ({
	dashboardFigures: await dashboardFigures(db, actor)
})) satisfies LayoutServerLoad;
