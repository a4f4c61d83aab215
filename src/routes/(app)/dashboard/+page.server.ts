import type { PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { dashboardSummary } from '$lib/server/services/dashboard';

export const load: PageServerLoad = async ({ locals }) => {
	const actor = requireActor(locals);
	const summary = await dashboardSummary((await runtimeApp()).db, actor);
	return {
		summary,
		name: actor.name,
		role: actor.role,
		tenantName: actor.tenant.name,
		organisationName: actor.organisationName
	};
};
