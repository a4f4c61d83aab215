import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { limitPublicPage, publicQuery, publicRefusal } from '$lib/server/http/public-limit';
import { findByNumber, publicCertificatePath } from '$lib/server/services/verification';
import {
	VERIFY_PDF_MAX_BYTES,
	verifyDocumentInput,
	verifyNumberInput
} from '$lib/server/services/verification.schema';
import { verifyDocument, type DocumentFacts } from '$lib/server/services/documents';
import { translate } from '$lib/server/i18n/translate';
import { fieldErrors } from '$lib/server/i18n/field-errors';
import { formatMoment } from '$lib/date-format';
import type { Locale } from '../../../db/schema';

/** A genuine document as the page shows it: its public facts, the time in its body's zone. */
function shownDocument(facts: DocumentFacts | null, locale: Locale) {
	if (!facts) return null;
	return {
		kind: facts.kind,
		code: facts.code,
		bodyName: facts.bodyName,
		subject: facts.subject,
		generatedAt: formatMoment(locale, facts.timeZone, facts.generatedAt, 'medium')
	};
}

/** `/verify`: no sign-in; an exact certificate number, looked up in every body. */
export const load: PageServerLoad = async (event) => {
	const app = await runtimeApp();
	await limitPublicPage(app, event);
	const locale = event.locals.locale;
	const { number } = publicQuery(
		verifyNumberInput,
		{ number: event.url.searchParams.get('number') ?? '' },
		locale
	);
	// `?code=`: the link a printed document's QR code carries, checked at once.
	const { code } = publicQuery(
		verifyDocumentInput,
		{ code: event.url.searchParams.get('code') ?? '' },
		locale
	);
	const found = await findByNumber(app.db, number, new Date());
	return {
		number,
		code,
		codeChecked: code
			? { document: shownDocument(await verifyDocument(app.db, { code }, locale), locale) }
			: null,
		found: found.map((entry) => ({
			...entry,
			path: publicCertificatePath(entry.body.slug, entry.certificate.number)
		}))
	};
};

export const actions: Actions = {
	/** "Is this PDF genuine?": the uploaded PDF's hash, or the code typed from it. */
	document: async (event) => {
		const app = await runtimeApp();
		const locale = event.locals.locale;
		const refusal = await publicRefusal(app, event);
		if (refusal) return fail(429, { document: true, error: refusal.message });
		const form = await event.request.formData();
		const parsed = verifyDocumentInput.safeParse({ code: String(form.get('code') ?? '') });
		if (!parsed.success)
			return fail(400, {
				document: true,
				error: Object.values(fieldErrors(parsed.error, locale, {}, 1))[0] ?? ''
			});
		const file = form.get('pdf');
		const upload = file instanceof File && file.size > 0 ? file : null;
		if (upload && upload.size > VERIFY_PDF_MAX_BYTES)
			return fail(400, {
				document: true,
				error: translate('documents_verify_too_large', locale, {
					megabytes: VERIFY_PDF_MAX_BYTES / 1024 / 1024
				})
			});
		const code = parsed.data.code;
		if (!upload && !code)
			return fail(400, { document: true, error: translate('documents_verify_empty', locale) });
		const facts = await verifyDocument(
			app.db,
			upload ? { pdf: new Uint8Array(await upload.arrayBuffer()) } : { code },
			locale
		);
		return { document: true, checked: { document: shownDocument(facts, locale) } };
	}
};
