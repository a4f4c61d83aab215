import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { submitForm } from '$lib/server/forms';
import { changeOwnPassword } from '$lib/server/services/passwords';
import { changePasswordInput } from '$lib/server/services/passwords.schema';
import { clientAddress } from '$lib/server/http/client-address';

/*
 * The signed-in person's own account (issue 12 item 7): their name and address, and a new
 * password given the current one. Outside (app): a person who has not chosen a body yet (or whose
 * every body deactivated them) still owns their password.
 */
export const load: PageServerLoad = ({ locals, url }) => {
	if (!locals.person) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
	return {
		account: { name: locals.person.name, email: locals.person.email },
		backToApp: locals.actor !== null
	};
};

export const actions: Actions = {
	password: async (event) => {
		const person = event.locals.person;
		if (!person) redirect(303, '/login?next=/account');
		const app = await runtimeApp();
		return submitForm(
			event.request,
			event.locals.locale,
			changePasswordInput,
			async (input) => {
				await changeOwnPassword({ db: app.db, limiter: app.limiter }, person, {
					current: input.current,
					password: input.password,
					address: clientAddress(event)
				});
				return { form: 'password', changed: true as const };
			},
			{ form: 'password' }
		);
	}
};
