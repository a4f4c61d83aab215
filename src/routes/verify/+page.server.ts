import type { PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { limitPublicPage, publicQuery } from '$lib/server/http/public-limit';
import { findByNumber, publicCertificatePath } from '$lib/server/services/verification';
import { verifyNumberInput } from '$lib/server/services/verification.schema';

/** `/verify`: no sign-in; an exact certificate number, looked up in every body. */
export const load: PageServerLoad = async (event) => {
	const app = await runtimeApp();
	await limitPublicPage(app, event);
	const { number } = publicQuery(
		verifyNumberInput,
		{ number: event.url.searchParams.get('number') ?? '' },
		event.locals.locale
	);
	const found = await findByNumber(app.db, number, new Date());
	return {
		number,
		found: found.map((entry) => ({
			...entry,
			path: publicCertificatePath(entry.body.slug, entry.certificate.number)
		}))
	};
};
