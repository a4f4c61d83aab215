import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { requireActor } from '$lib/server/guards';
import { runtimeApp } from '$lib/server/runtime';
import { tenantLogo } from '$lib/server/services/tenant-settings';
import { translate } from '$lib/server/i18n/translate';

/*
 * The acting body's logo (issue 12 item 8), for its signed-in pages; PDFs and emails read the
 * same bytes through the service. Its type was sniffed from the bytes when it was saved, and
 * `nosniff` (hooks) keeps a browser from reading it as anything else.
 */
export const GET: RequestHandler = async ({ locals }) => {
	const actor = requireActor(locals);
	const app = await runtimeApp();
	const logo = await tenantLogo(app.db, actor);
	if (!logo) error(404, translate('error_not_found', locals.locale));
	return new Response(new Uint8Array(logo.bytes), {
		headers: {
			'content-type': logo.type,
			'content-length': String(logo.bytes.byteLength),
			'cache-control': 'private, no-cache',
			etag: `"logo-${logo.version}"`,
			'content-security-policy': "default-src 'none'; sandbox"
		}
	});
};
