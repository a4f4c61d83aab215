import { m } from '$lib/paraglide/messages';

/* Display names of the domain's enumerations, in the current language. */

const roles: Record<string, () => string> = {
	admin: m.role_admin,
	evaluator: m.role_evaluator,
	decision_maker: m.role_decision_maker,
	org_admin: m.role_org_admin,
	org_member: m.role_org_member
};

const statuses: Record<string, () => string> = {
	active: m.status_active,
	suspended: m.status_suspended,
	withdrawn: m.status_withdrawn,
	expired: m.status_expired
};

export const roleLabel = (role: string) => roles[role]?.() ?? role;
export const certificateStatusLabel = (status: string) => statuses[status]?.() ?? status;
