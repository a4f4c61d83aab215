import type { RequestHandler } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { plainAnswer } from '$lib/server/http/public-file';
import { publicRefusal } from '$lib/server/http/public-limit';
import { pdfResponse } from '$lib/server/http/pdf-response';
import { translate } from '$lib/server/i18n/translate';
import { publicCertificateDocument } from '$lib/server/services/documents';
import { publicCertificateInput } from '$lib/server/services/verification.schema';

/** The certificate as a PDF from its public page: no sign-in, limited like the rest of /verify. */
export const GET: RequestHandler = async (event) => {
	const app = await runtimeApp();
	const locale = event.locals.locale;
	const refusal = await publicRefusal(app, event);
	if (refusal) return plainAnswer(429, refusal.message, { 'retry-after': String(refusal.seconds) });
	const input = publicCertificateInput.safeParse(event.params);
	if (!input.success) return plainAnswer(400, translate('error_not_found', locale));
	const document = await publicCertificateDocument(
		app.db,
		input.data.slug,
		input.data.number,
		locale,
		event.url.origin
	);
	if (!document) return plainAnswer(404, translate('error_not_found', locale));
	return pdfResponse(document);
};
