import type { RequestEvent } from '@sveltejs/kit';
import type { App } from '../app';
import { publicRefusal } from './public-limit';
import { translate } from '../i18n/translate';
import { publicCertificate } from '../services/verification';
import { publicCertificateInput } from '../services/verification.schema';
import type { Locale } from '../../../../db/schema';

/*
 * What the files under a certificate's public page (badge, QR code) share: the rate limit and a
 * plain localized answer when refused or unknown. Embeddable: `cross-origin-resource-policy`
 * lets another site show them as <img>; the CSP forbids anything active inside.
 */

const FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

export function plainAnswer(status: number, message: string, headers: Record<string, string> = {}) {
	return new Response(message, {
		status,
		headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }
	});
}

export async function publicFile(
	app: App,
	event: RequestEvent<{ slug: string; number: string }>,
	locale: Locale,
	answer: (page: NonNullable<Awaited<ReturnType<typeof publicCertificate>>>) => Promise<Response>
): Promise<Response> {
	const refusal = await publicRefusal(app, event);
	if (refusal)
		return plainAnswer(
			429,
			translate('verify_rate_limited', locale, { seconds: refusal.seconds }),
			{
				'retry-after': String(refusal.seconds)
			}
		);
	const input = publicCertificateInput.safeParse(event.params);
	if (!input.success) return plainAnswer(400, translate('error_not_found', locale));
	const page = await publicCertificate(app.db, input.data.slug, input.data.number, new Date());
	if (!page) return plainAnswer(404, translate('error_not_found', locale));
	const response = await answer(page);
	response.headers.set('cross-origin-resource-policy', 'cross-origin');
	response.headers.set('content-security-policy', FILE_CSP);
	return response;
}
