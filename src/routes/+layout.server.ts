import type { LayoutServerLoad } from './$types';
import { chaseMode, runtimeApp } from '$lib/server/runtime';
import { can, mayEver } from '$lib/server/domain/permissions';
import type { Actor } from '$lib/server/actor';

/** Which links of the main navigation the actor's role may follow (domain/permissions.ts). */
function navigation(actor: Actor | null) {
	if (!actor) return null;
	return {
		dashboard: mayEver(actor, 'dashboard.read'),
		myActions: mayEver(actor, 'myActions.read'),
		evaluations: mayEver(actor, 'evaluation.view'),
		findings: mayEver(actor, 'finding.list'),
		obligations: mayEver(actor, 'obligation.fulfil') || mayEver(actor, 'obligation.view'),
		complaints: mayEver(actor, 'complaint.read'),
		calendar: mayEver(actor, 'calendar.read'),
		// The organisation's own users keep their service system; the body reaches it per organisation.
		serviceSystem: mayEver(actor, 'serviceSystem.measure'),
		organisations: mayEver(actor, 'dashboard.allOrganisations'),
		certificates: mayEver(actor, 'certificate.list'),
		reports: mayEver(actor, 'figures.read'),
		catalogue: mayEver(actor, 'catalogue.read'),
		people: mayEver(actor, 'people.manage'),
		settings: mayEver(actor, 'tenant.settings'),
		audit: mayEver(actor, 'audit.read'),
		deliveries: mayEver(actor, 'mail.deliveries')
	};
}

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
		nav: navigation(actor),
		// The bell: counted with the acting membership in hooks.server.ts.
		unread: actor ? locals.unreadNotifications : null,
		// Offer switching only to people who have somewhere to switch to.
		canSwitchTenant: locals.membershipCount > 1,
		// Only those who look after the installation are told about its infrastructure. Without
		// Redis at start the chase runs on this process's own timer, so mail still goes out; Redis
		// lost while BullMQ runs the chase holds the mail in the outbox until it returns.
		redisUnavailable:
			!!actor && can(actor, 'system.status') && !app.redis?.available()
				? chaseMode() === 'timer'
					? ('timer' as const)
					: ('waiting' as const)
				: null
	};
};
