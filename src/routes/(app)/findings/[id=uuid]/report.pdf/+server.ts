import type { RequestHandler } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { loadOrRefuse } from '$lib/server/forms';
import { pdfResponse } from '$lib/server/http/pdf-response';
import { nonconformityReportDocument } from '$lib/server/services/documents';

/** A nonconformity's report as a PDF: who may open the finding. */
export const GET: RequestHandler = async ({ locals, params, url }) => {
	const actor = requireActor(locals);
	const { db } = await runtimeApp();
	return loadOrRefuse(locals.locale, async () =>
		pdfResponse(await nonconformityReportDocument(db, actor, params.id, locals.locale, url.origin))
	);
};
