import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { signIn } from '$lib/server/services/sign-in';
import { chooseTenant, listTenantsOf, validateSessionToken } from '$lib/server/services/sessions';
import { setSessionCookie } from '$lib/server/auth/cookies';
import { m } from '$lib/paraglide/messages';
import { parseForm } from '$lib/server/forms';
import { signInInput } from '$lib/server/services/sign-in.schema';
import { sitePath } from '$lib/server/services/sessions.schema';

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.person) redirect(303, '/');
	return {
		signedOut: url.searchParams.has('signed-out'),
		passwordReset: url.searchParams.has('password-reset')
	};
};

export const actions: Actions = {
	default: async ({ request, cookies, getClientAddress, locals, url }) => {
		const app = await runtimeApp();
		const parsed = await parseForm(request, signInInput, locals.locale);
		if (!parsed.ok) {
			const { status, data } = parsed.failure;
			return fail(status, {
				email: data.values.email ?? '',
				message: Object.values(data.errors)[0]
			});
		}
		const { email, password } = parsed.data;
		// adapter-node reads a proxy's header only when ADDRESS_HEADER (and XFF_DEPTH) say so, and
		// throws when that header is missing: such requests share one count rather than fail.
		let address: string;
		try {
			address = getClientAddress();
		} catch {
			address = 'unknown';
		}

		const result = await signIn(
			{ db: app.db, limiter: app.limiter, sessionPolicy: app.sessionPolicy },
			{ email, password, address }
		);
		if (!result.ok) {
			const message =
				result.reason === 'throttled'
					? m.login_throttled({ minutes: Math.ceil(result.retryAfterSeconds / 60) })
					: m.login_invalid();
			return fail(result.reason === 'throttled' ? 429 : 400, { email, message });
		}
		setSessionCookie(cookies, result.token, result.expiresAt, app.config.secureCookies);

		// One membership: act in it straight away. Several: let the person choose.
		const memberships = await listTenantsOf(app.db, result.userId);
		if (memberships.length === 1) {
			const person = await validateSessionToken(app.db, result.token, app.sessionPolicy);
			if (person && memberships[0]) await chooseTenant(app.db, person, memberships[0].tenant_id);
			redirect(303, sitePath(url.searchParams.get('next'), '/dashboard'));
		}
		redirect(303, '/choose-tenant');
	}
};
