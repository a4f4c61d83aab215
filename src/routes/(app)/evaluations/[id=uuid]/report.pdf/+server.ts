import type { RequestHandler } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { loadOrRefuse } from '$lib/server/forms';
import { pdfResponse } from '$lib/server/http/pdf-response';
import { evaluationReportDocument } from '$lib/server/services/documents';

/** The issued evaluation report as a PDF: the body's staff and the organisation's users. */
export const GET: RequestHandler = async ({ locals, params, url }) => {
	const actor = requireActor(locals, 'evaluation.view');
	const { db } = await runtimeApp();
	return loadOrRefuse(locals.locale, async () =>
		pdfResponse(await evaluationReportDocument(db, actor, params.id, locals.locale, url.origin))
	);
};
