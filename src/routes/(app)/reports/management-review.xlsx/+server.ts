import type { RequestHandler } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { loadOrRefuse } from '$lib/server/forms';
import { bodyFigures, figuresPeriod } from '$lib/server/services/figures';
import {
	managementReviewFileName,
	managementReviewWorkbook
} from '$lib/server/services/management-review';

/** The management review's figures as XLSX, for the period of the printable page. */
export const GET: RequestHandler = async ({ locals, url }) => {
	const actor = requireActor(locals, 'figures.read');
	const { db } = await runtimeApp();
	return loadOrRefuse(locals.locale, async () => {
		const figures = await bodyFigures(db, actor, figuresPeriod(url.searchParams, actor));
		const bytes = await managementReviewWorkbook(actor, figures, locals.locale);
		return new Response(bytes as BodyInit, {
			headers: {
				'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
				'content-disposition': `attachment; filename="${managementReviewFileName(actor, figures)}"`,
				'cache-control': 'no-store',
				'x-content-type-options': 'nosniff'
			}
		});
	});
};
