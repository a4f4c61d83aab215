import { Readable } from 'node:stream';
import type { RequestHandler } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { loadOrRefuse } from '$lib/server/forms';
import { evidenceStorage } from '$lib/server/evidence/storage';
import { openComplaintFileForDownload } from '$lib/server/services/complaints';

/**
 * Downloads a file a complainant attached, for whoever may read complaints (complaint.read); any
 * other complaint's or tenant's file is "not found". Always an attachment, never rendered.
 */
export const GET: RequestHandler = async ({ params, locals }) => {
	const actor = requireActor(locals);
	const app = await runtimeApp();
	const download = await loadOrRefuse(locals.locale, () =>
		openComplaintFileForDownload(
			app.db,
			actor,
			params.id,
			params.fileId,
			evidenceStorage(app.config)
		)
	);
	return new Response(Readable.toWeb(download.stream) as ReadableStream<Uint8Array>, {
		headers: download.headers
	});
};
