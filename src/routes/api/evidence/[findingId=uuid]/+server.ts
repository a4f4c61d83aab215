import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { evidenceStorage } from '$lib/server/evidence/storage';
import { handleEvidenceUpload } from '$lib/server/evidence/upload';

/** Evidence upload (multipart, streamed): see src/lib/server/evidence/upload.ts. */
export const POST: RequestHandler = async ({ request, params, locals }) => {
	const app = await runtimeApp();
	const { status, body } = await handleEvidenceUpload({
		request,
		app,
		actor: locals.actor,
		findingId: params.findingId,
		locale: locals.locale,
		storage: evidenceStorage(app.config)
	});
	return json(body, { status, headers: { 'cache-control': 'no-store' } });
};
