import { Readable } from 'node:stream';
import type { RequestHandler } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { loadOrRefuse } from '$lib/server/forms';
import { evidenceStorage } from '$lib/server/evidence/storage';
import { openEvidenceForDownload } from '$lib/server/services/evidence';

/** Downloads one evidence file, for whoever may see its finding; others get "not found". */
export const GET: RequestHandler = async ({ params, locals }) => {
	const actor = requireActor(locals);
	const app = await runtimeApp();
	const download = await loadOrRefuse(locals.locale, () =>
		openEvidenceForDownload(app.db, actor, params.evidenceId, evidenceStorage(app.config))
	);
	return new Response(Readable.toWeb(download.stream) as ReadableStream<Uint8Array>, {
		headers: download.headers
	});
};
