import type { PageServerLoad } from './$types';
import { pageLoad } from '$lib/server/pages';
import type { Actor } from '$lib/server/actor';
import { can, mayEver } from '$lib/server/domain/permissions';
import { dashboardSummary } from '$lib/server/services/dashboard';
import { listFlaggedCertificates } from '$lib/server/services/certificate-flags';

/** What the dashboard says the actor is here to do: the first of their capabilities that fits. */
function focusOf(actor: Actor): 'organisation' | 'administer' | 'evaluate' | 'decide' {
	if (!mayEver(actor, 'dashboard.allOrganisations')) return 'organisation';
	if (mayEver(actor, 'catalogue.manage')) return 'administer';
	if (mayEver(actor, 'evaluation.run')) return 'evaluate';
	return 'decide';
}

export const load = pageLoad('dashboard.read', async ({ db, actor }) => {
	const summary = await dashboardSummary(db, actor);
	// The chase's certificate flags, for the admins and decision makers who act on them.
	const flagged = can(actor, 'certificate.flags') ? await listFlaggedCertificates(db, actor) : null;
	const allOrganisations = mayEver(actor, 'dashboard.allOrganisations');
	return {
		summary,
		flagged,
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
}) satisfies PageServerLoad;
