import type { RequestHandler } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { publicFile } from '$lib/server/http/public-file';
import { badgeSvg } from '$lib/server/badge';
import { badgeInput } from '$lib/server/services/verification.schema';

/** The embeddable badge: live status, cached five minutes, shown by other sites as <img>. */
export const GET: RequestHandler = async (event) => {
	const app = await runtimeApp();
	const { lang } = badgeInput.parse({ lang: event.url.searchParams.get('lang') ?? undefined });
	return publicFile(app, event, lang, async ({ body, certificate }) => {
		const today = certificate.today;
		const svg = badgeSvg({
			body: body.name,
			number: certificate.number,
			status: today.kind === 'state' ? today.status : 'not_issued',
			locale: lang
		});
		return new Response(svg, {
			headers: {
				'content-type': 'image/svg+xml; charset=utf-8',
				'cache-control': 'public, max-age=300'
			}
		});
	});
};
