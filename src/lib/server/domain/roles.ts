import type { Role } from '../../../../db/schema';

/* Who may do what (SPEC §2). Pure, so the tRPC middleware and the pages ask the same rules. */

export const CB_ROLES = ['admin', 'evaluator', 'decision_maker'] as const satisfies readonly Role[];
export const ORG_ROLES = ['org_admin', 'org_member'] as const satisfies readonly Role[];
export const ALL_ROLES: readonly Role[] = [...CB_ROLES, ...ORG_ROLES];

export type CbRole = (typeof CB_ROLES)[number];
export type OrgRole = (typeof ORG_ROLES)[number];

export function isCbStaff(role: Role): role is CbRole {
	return (CB_ROLES as readonly Role[]).includes(role);
}

export function isOrgUser(role: Role): role is OrgRole {
	return (ORG_ROLES as readonly Role[]).includes(role);
}

export function isRole(value: string): value is Role {
	return (ALL_ROLES as readonly string[]).includes(value);
}

/** Organisation users are bound to one organisation; CB staff to none. */
export function roleNeedsOrganisation(role: Role): boolean {
	return isOrgUser(role);
}

/**
 * Whether a role sees every organisation of the tenant, or only its own; the same answer as the
 * `organisation.readAll` capability (domain/permissions.ts), which services ask.
 */
export function seesAllOrganisations(role: Role): boolean {
	return isCbStaff(role);
}

/** Matches no organisation: what a filter uses when an organisation user somehow has none. */
export const NO_ORGANISATION = '00000000-0000-0000-0000-000000000000';
