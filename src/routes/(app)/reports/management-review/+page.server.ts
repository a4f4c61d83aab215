import type { PageServerLoad } from './$types';
import { pageLoad } from '$lib/server/pages';
import { bodyFigures, figuresPeriod } from '$lib/server/services/figures';

/** The management review (ISO/IEC 17021-1 §9.11): the body's figures for a period, to print. */
export const load = pageLoad('figures.read', async ({ db, actor, event: { url } }) => {
	const period = figuresPeriod(url.searchParams, actor);
	return { figures: await bodyFigures(db, actor, period), tenantName: actor.tenant.name };
}) satisfies PageServerLoad;
