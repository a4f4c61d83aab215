import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { parseForm } from '$lib/server/forms';
import { m } from '$lib/paraglide/messages';
import { requestPasswordReset } from '$lib/server/services/passwords';
import { forgotPasswordInput } from '$lib/server/services/passwords.schema';
import { clientAddress } from '$lib/server/http/client-address';

export const load: PageServerLoad = ({ locals }) => {
	if (locals.person) redirect(303, '/account');
	return {};
};

export const actions: Actions = {
	default: async (event) => {
		const app = await runtimeApp();
		const parsed = await parseForm(event.request, forgotPasswordInput, event.locals.locale);
		if (!parsed.ok) {
			const { status, data } = parsed.failure;
			return fail(status, {
				email: data.values.email ?? '',
				message: Object.values(data.errors)[0]
			});
		}
		const result = await requestPasswordReset(
			{ db: app.db, limiter: app.limiter },
			{ email: parsed.data.email, address: clientAddress(event) }
		);
		if (!result.ok)
			return fail(429, {
				email: parsed.data.email,
				message: m.login_throttled({ minutes: Math.ceil(result.retryAfterSeconds / 60) })
			});
		// The same answer whether or not the address has an account.
		return { sent: true as const, email: parsed.data.email };
	}
};
