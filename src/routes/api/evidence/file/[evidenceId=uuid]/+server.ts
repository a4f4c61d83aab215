import { Readable } from 'node:stream';
import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { Refusal } from '$lib/server/errors';
import { translate } from '$lib/server/i18n/translate';
import { evidenceStorage } from '$lib/server/evidence/storage';
import { openEvidenceForDownload } from '$lib/server/services/evidence';

/** Downloads one evidence file, for whoever may see its finding; others get "not found". */
export const GET: RequestHandler = async ({ params, locals }) => {
	const actor = requireActor(locals);
	const app = await runtimeApp();
	try {
		const download = await openEvidenceForDownload(
			app.db,
			actor,
			params.evidenceId,
			evidenceStorage(app.config)
		);
		return new Response(Readable.toWeb(download.stream) as ReadableStream<Uint8Array>, {
			headers: download.headers
		});
	} catch (cause) {
		if (cause instanceof Refusal)
			error(404, translate(cause.messageKey, locals.locale, cause.params));
		throw cause;
	}
};
