import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { parseForm } from '$lib/server/forms';
import { m } from '$lib/paraglide/messages';
import { completePasswordReset, resetLinkIsLive } from '$lib/server/services/passwords';
import { resetPasswordInput } from '$lib/server/services/passwords.schema';
import { clientAddress } from '$lib/server/http/client-address';
import { clearSessionCookie } from '$lib/server/auth/cookies';

/*
 * The emailed link's page, outside the signed-in app: it works signed out (a person who forgot
 * their password has no session). The token is the link's secret; the page only asks the
 * database whether it is still live.
 */
export const load: PageServerLoad = async ({ params }) => {
	const app = await runtimeApp();
	return { live: await resetLinkIsLive(app.db, params.token) };
};

export const actions: Actions = {
	default: async (event) => {
		const app = await runtimeApp();
		const parsed = await parseForm(event.request, resetPasswordInput, event.locals.locale);
		if (!parsed.ok) {
			const { status, data } = parsed.failure;
			return fail(status, { errors: data.errors });
		}
		const result = await completePasswordReset(
			{ db: app.db, limiter: app.limiter },
			{ token: event.params.token, password: parsed.data.password, address: clientAddress(event) }
		);
		if (!result.ok)
			return result.reason === 'throttled'
				? fail(429, {
						errors: {
							_: m.login_throttled({ minutes: Math.ceil(result.retryAfterSeconds / 60) })
						}
					})
				: fail(400, { errors: { _: m.password_reset_invalid() } });
		// Every session of the person ended with the old password, this browser's included.
		clearSessionCookie(event.cookies);
		redirect(303, '/login?password-reset');
	}
};
