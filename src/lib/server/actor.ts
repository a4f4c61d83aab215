import type { Locale, Role } from '../../../db/schema';

/** Who is acting, in which tenant: resolved once per request from the session. */
export interface Actor {
	userId: string;
	email: string;
	name: string;
	tenantId: string;
	role: Role;
	/** Set for organisation users: the one organisation they belong to. */
	organisationId: string | null;
	organisationName: string | null;
	tenant: { slug: string; name: string; defaultLocale: Locale; timeZone: string };
}

export function scopeOf(actor: Actor) {
	return { tenantId: actor.tenantId, userId: actor.userId };
}
