import type { LayoutServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';

export const load: LayoutServerLoad = async ({ locals }) => {
	const { actor, person } = locals;
	const app = await runtimeApp();
	return {
		locale: locals.locale,
		person: person ? { name: person.name, email: person.email } : null,
		actor: actor
			? {
					role: actor.role,
					tenantName: actor.tenant.name,
					organisationName: actor.organisationName
				}
			: null,
		// Offer switching only to people who have somewhere to switch to.
		canSwitchTenant: locals.membershipCount > 1,
		// Only administrators are told about infrastructure.
		redisUnavailable: actor?.role === 'admin' && !app.redis?.available()
	};
};
