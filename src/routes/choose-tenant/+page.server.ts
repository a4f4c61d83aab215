import { error, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { chooseTenant, listTenantsOf } from '$lib/server/services/sessions';
import { m } from '$lib/paraglide/messages';

export const load: PageServerLoad = async ({ locals }) => {
	if (!locals.person) redirect(303, '/login');
	const memberships = await listTenantsOf((await runtimeApp()).db, locals.person.userId);
	return {
		memberships: memberships.map((membership) => ({
			tenantId: membership.tenant_id,
			name: membership.tenant_name,
			role: membership.role,
			current: membership.tenant_id === locals.person?.tenantId
		}))
	};
};

export const actions: Actions = {
	default: async ({ locals, request }) => {
		if (!locals.person) redirect(303, '/login');
		const tenantId = String((await request.formData()).get('tenantId') ?? '');
		const chosen =
			/^[0-9a-f-]{36}$/.test(tenantId) &&
			(await chooseTenant((await runtimeApp()).db, locals.person, tenantId));
		if (!chosen) error(403, m.error_not_a_member());
		redirect(303, '/dashboard');
	}
};
