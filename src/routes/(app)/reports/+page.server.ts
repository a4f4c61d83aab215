import type { PageServerLoad } from './$types';
import { pageLoad } from '$lib/server/pages';
import { bodyFigures, figuresPeriod } from '$lib/server/services/figures';
import { can } from '$lib/server/domain/permissions';

/** The body's figures (issue 11): every chart's numbers in this one load, for the period asked. */
export const load = pageLoad('figures.read', async ({ db, actor, event: { url } }) => {
	const period = figuresPeriod(url.searchParams, actor);
	return {
		figures: await bodyFigures(db, actor, period),
		mayExportRegistry: can(actor, 'registry.export')
	};
}) satisfies PageServerLoad;
