import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { complaintAction } from '$lib/server/http/public-complaint';
import { m } from '$lib/paraglide/messages';
import { runtimeApp } from '$lib/server/runtime';
import { limitPublicPage, publicQuery } from '$lib/server/http/public-limit';
import { publicCertificatePath, searchBody, SEARCH_LIMIT } from '$lib/server/services/verification';
import { verifyBodySearchInput } from '$lib/server/services/verification.schema';

/** `/verify/<slug>`: one body's certificates by number, USCC or organisation name. */
export const load: PageServerLoad = async (event) => {
	const app = await runtimeApp();
	await limitPublicPage(app, event);
	const { slug, q } = publicQuery(
		verifyBodySearchInput,
		{ slug: event.params.slug, q: event.url.searchParams.get('q') ?? '' },
		event.locals.locale
	);
	const result = await searchBody(app.db, slug, q, new Date());
	if (!result) error(404, m.verify_body_missing());
	return {
		q,
		body: result.body,
		limit: SEARCH_LIMIT,
		certificates: result.certificates.map((certificate) => ({
			...certificate,
			path: publicCertificatePath(result.body.slug, certificate.number)
		}))
	};
};

/** The public complaint form: about the body, or one of its certificates by number. */
export const actions: Actions = {
	complain: (event) => complaintAction(event)
};
