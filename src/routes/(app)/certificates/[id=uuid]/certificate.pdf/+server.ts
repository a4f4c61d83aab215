import type { RequestHandler } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { loadOrRefuse } from '$lib/server/forms';
import { pdfResponse } from '$lib/server/http/pdf-response';
import { certificateDocument } from '$lib/server/services/documents';

/** The certificate as a PDF: who may open its page (the body's staff, its organisation). */
export const GET: RequestHandler = async ({ locals, params, url }) => {
	const actor = requireActor(locals, 'certificate.list');
	const { db } = await runtimeApp();
	return loadOrRefuse(locals.locale, async () =>
		pdfResponse(await certificateDocument(db, actor, params.id, locals.locale, url.origin))
	);
};
