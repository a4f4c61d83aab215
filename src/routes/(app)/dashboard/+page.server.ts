import type { PageServerLoad } from './$types';
import type { Actor } from '$lib/server/actor';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { mayEver } from '$lib/server/domain/permissions';
import { dashboardSummary } from '$lib/server/services/dashboard';

/** What the dashboard says the actor is here to do: the first of their capabilities that fits. */
function focusOf(actor: Actor): 'organisation' | 'administer' | 'evaluate' | 'decide' {
	if (!mayEver(actor, 'dashboard.allOrganisations')) return 'organisation';
	if (mayEver(actor, 'catalogue.manage')) return 'administer';
	if (mayEver(actor, 'evaluation.run')) return 'evaluate';
	return 'decide';
}

export const load: PageServerLoad = async ({ locals }) => {
	const actor = requireActor(locals, 'dashboard.read');
	const summary = await dashboardSummary((await runtimeApp()).db, actor);
	const allOrganisations = mayEver(actor, 'dashboard.allOrganisations');
	return {
		summary,
		name: actor.name,
		role: actor.role,
		tenantName: actor.tenant.name,
		// Organisation users see their organisation's name; the body's staff the tenant's.
		organisationName: allOrganisations ? null : actor.organisationName,
		focus: focusOf(actor),
		show: {
			organisations: allOrganisations,
			people: mayEver(actor, 'people.manage')
		}
	};
};
