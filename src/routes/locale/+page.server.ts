import { error, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { LOCALE_COOKIE } from '$lib/server/auth/cookies';
import { parseForm } from '$lib/server/forms';
import { rememberLocale } from '$lib/server/services/sessions';
import { chooseLocaleInput } from '$lib/server/services/sessions.schema';

export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
	/** An explicit choice: remembered in a cookie and, when signed in, on the person. */
	default: async ({ request, cookies, locals }) => {
		const parsed = await parseForm(request, chooseLocaleInput, locals.locale);
		if (!parsed.ok) {
			const { status, data } = parsed.failure;
			error(status, Object.values(data.errors)[0]);
		}
		const { locale, redirectTo } = parsed.data;
		cookies.set(LOCALE_COOKIE, locale, {
			path: '/',
			httpOnly: false,
			sameSite: 'lax',
			maxAge: 400 * 24 * 3600
		});
		if (locals.person) await rememberLocale((await runtimeApp()).db, locals.person.userId, locale);
		redirect(303, redirectTo);
	}
};
