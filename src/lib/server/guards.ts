import { error, redirect } from '@sveltejs/kit';
import type { Role } from '../../../db/schema';
import type { Actor } from './actor';
import { translate } from './i18n/translate';

/** The acting member of a page's request; pages call this rather than trusting layout order. */
export function requireActor(locals: App.Locals, ...roles: Role[]): Actor {
	if (!locals.person) redirect(303, '/login');
	if (!locals.actor) redirect(303, '/choose-tenant');
	if (roles.length > 0 && !roles.includes(locals.actor.role))
		error(403, translate('error_forbidden', locals.locale));
	return locals.actor;
}
