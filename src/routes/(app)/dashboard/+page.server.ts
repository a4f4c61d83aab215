import type { PageServerLoad } from './$types';
import { pageLoad } from '$lib/server/pages';
import type { Actor } from '$lib/server/actor';
import { can, mayEver } from '$lib/server/domain/permissions';
import { workQueueCounts } from '$lib/server/services/work-queues';
import { todayInZone } from '$lib/server/domain/calendar';
import { ALARMING_QUEUES } from '$lib/server/domain/work-queues';
import { listFlaggedCertificates } from '$lib/server/services/certificate-flags';

/** What the dashboard says the actor is here to do: the first of their capabilities that fits. */
function focusOf(actor: Actor): 'organisation' | 'administer' | 'evaluate' | 'decide' {
	if (!mayEver(actor, 'dashboard.allOrganisations')) return 'organisation';
	if (mayEver(actor, 'catalogue.manage')) return 'administer';
	if (mayEver(actor, 'evaluation.run')) return 'evaluate';
	return 'decide';
}

export const load = pageLoad('dashboard.read', async ({ db, actor }) => {
	// Each of the actor's roles' queues, every count in one statement (issue 11 §1).
	const sections = await workQueueCounts(db, actor);
	// The chase's certificate flags, for the admins and decision makers who act on them.
	const flagged = can(actor, 'certificate.flags') ? await listFlaggedCertificates(db, actor) : null;
	const allOrganisations = mayEver(actor, 'dashboard.allOrganisations');
	return {
		sections,
		alarms: ALARMING_QUEUES,
		today: todayInZone(new Date(), actor.tenant.timeZone),
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
