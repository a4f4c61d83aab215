import type { RequestHandler } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { publicFile } from '$lib/server/http/public-file';
import { qrSvg } from '$lib/server/qr-code';
import { publicCertificatePath } from '$lib/server/services/verification';

/** The QR code of the certificate's public page, as an SVG file to download. */
export const GET: RequestHandler = async (event) => {
	const app = await runtimeApp();
	return publicFile(app, event, event.locals.locale, async ({ body, certificate }) => {
		const url = event.url.origin + publicCertificatePath(body.slug, certificate.number);
		return new Response(await qrSvg(url), {
			headers: {
				'content-type': 'image/svg+xml; charset=utf-8',
				'cache-control': 'public, max-age=86400',
				'content-disposition': `attachment; filename="${encodeURIComponent(certificate.number)}-qr.svg"`
			}
		});
	});
};
