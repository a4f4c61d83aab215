import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { invalidateSession } from '$lib/server/services/sessions';
import { clearSessionCookie } from '$lib/server/auth/cookies';

export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
	default: async ({ locals, cookies }) => {
		if (locals.person) await invalidateSession((await runtimeApp()).db, locals.person.sessionId);
		clearSessionCookie(cookies);
		redirect(303, '/login?signed-out');
	}
};
