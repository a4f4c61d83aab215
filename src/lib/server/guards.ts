import { error, redirect } from '@sveltejs/kit';
import type { Actor } from './actor';
import { mayEver, type Capability } from './domain/permissions';
import { translate } from './i18n/translate';

/**
 * The acting member of a page's request; pages call this rather than trusting layout order.
 * With a capability, a role that may never hold it gets the 403 page (the same rule the tRPC
 * procedure builders and the services read).
 */
export function requireActor(locals: App.Locals, capability?: Capability): Actor {
	if (!locals.person) redirect(303, '/login');
	if (!locals.actor) redirect(303, '/choose-tenant');
	if (capability && !mayEver(locals.actor, capability))
		error(403, translate('error_forbidden', locals.locale));
	return locals.actor;
}
