import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { complaintAction } from '$lib/server/http/public-complaint';
import { m } from '$lib/paraglide/messages';
import { runtimeApp } from '$lib/server/runtime';
import { limitPublicPage, publicQuery } from '$lib/server/http/public-limit';
import {
	publicBody,
	publicCertificate,
	publicCertificatePath
} from '$lib/server/services/verification';
import { publicCertificateInput } from '$lib/server/services/verification.schema';
import { qrDrawing } from '$lib/server/qr-code';

/** A certificate's stable public page: status today and, with `?on=`, on that day. */
export const load: PageServerLoad = async (event) => {
	const app = await runtimeApp();
	await limitPublicPage(app, event);
	const { slug, number, on } = publicQuery(
		publicCertificateInput,
		{
			slug: event.params.slug,
			number: event.params.number,
			on: event.url.searchParams.get('on') ?? undefined
		},
		event.locals.locale
	);
	const page = await publicCertificate(app.db, slug, number, new Date(), on);
	if (!page) {
		const body = await publicBody(app.db, slug);
		error(
			404,
			body ? m.verify_certificate_missing({ body: body.name, number }) : m.verify_body_missing()
		);
	}
	const path = publicCertificatePath(page.body.slug, page.certificate.number);
	const url = `${event.url.origin}${path}`;
	return { ...page, on: on ?? '', path, url, qr: qrDrawing(url) };
};

/** The public complaint form, about this certificate. */
export const actions: Actions = {
	complain: (event) => complaintAction(event, event.params.number)
};
