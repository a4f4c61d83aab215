import { Readable } from 'node:stream';
import type { RequestHandler } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { loadOrRefuse } from '$lib/server/forms';
import { evidenceStorage } from '$lib/server/evidence/storage';
import { evidenceDownloadPath, openEvidenceForPreview } from '$lib/server/services/evidence';
import { translate } from '$lib/server/i18n/translate';

/**
 * One evidence file shown inline (an image, a PDF), for whoever may download it; others get "not
 * found". Any other type is 415 with the download offered instead.
 */
export const GET: RequestHandler = async ({ params, locals }) => {
	const actor = requireActor(locals);
	const app = await runtimeApp();
	const preview = await loadOrRefuse(locals.locale, () =>
		openEvidenceForPreview(app.db, actor, params.evidenceId, evidenceStorage(app.config))
	);
	if ('unsupported' in preview) {
		const download = evidenceDownloadPath(preview.evidence.id);
		return new Response(
			`${translate('evidence_preview_unsupported', locals.locale)}\n${download}\n`,
			{
				status: 415,
				headers: {
					'content-type': 'text/plain; charset=utf-8',
					link: `<${download}>; rel="alternate"`,
					'x-content-type-options': 'nosniff',
					'cache-control': 'private, no-store'
				}
			}
		);
	}
	return new Response(Readable.toWeb(preview.stream) as ReadableStream<Uint8Array>, {
		headers: preview.headers
	});
};
