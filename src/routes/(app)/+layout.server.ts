import { redirect } from '@sveltejs/kit';
import type { LayoutServerLoad } from './$types';

/** Every page in (app) acts in a tenant: signed-out people sign in, others choose a tenant. */
export const load: LayoutServerLoad = ({ locals, url }) => {
	if (!locals.person) redirect(303, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
	if (!locals.actor) redirect(303, '/choose-tenant');
	// Times are shown in the tenant's zone, the same on the server and in the browser.
	return { timeZone: locals.actor.tenant.timeZone };
};
