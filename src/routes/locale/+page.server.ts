import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { asLocale } from '$lib/server/i18n/translate';
import { LOCALE_COOKIE } from '$lib/server/auth/cookies';
import { setUserLocale } from '$lib/server/repositories/users';

export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
	/** An explicit choice: remembered in a cookie and, when signed in, on the person. */
	default: async ({ request, cookies, locals }) => {
		const form = await request.formData();
		const locale = asLocale(String(form.get('locale')));
		const target = String(form.get('redirectTo') ?? '/');
		if (locale) {
			cookies.set(LOCALE_COOKIE, locale, {
				path: '/',
				httpOnly: false,
				sameSite: 'lax',
				maxAge: 400 * 24 * 3600
			});
			const person = locals.person;
			if (person) {
				const app = await runtimeApp();
				await app.db.asPerson(person.userId, (tx) => setUserLocale(tx, person.userId, locale));
			}
		}
		redirect(303, target.startsWith('/') && !target.startsWith('//') ? target : '/');
	}
};
