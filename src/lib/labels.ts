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

/**
 * An audit action ('finding.raise') as words: the message `audit_action_finding_raise` when there
 * is one, else the action itself.
 */
export function auditActionLabel(action: string): string {
	const key = `audit_action_${action.replace(/[^a-z0-9]+/gi, '_')}`;
	const message = (m as unknown as Record<string, (() => string) | undefined>)[key];
	return message ? message() : action;
}

type Catalogue = Record<string, (() => string) | undefined>;

/** A changed field's name in words (`dueOn` → message `timeline_field_due_on`), else the name. */
export function timelineFieldLabel(field: string): string {
	const key = `timeline_field_${field.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()}`;
	return (m as unknown as Catalogue)[key]?.() ?? field;
}

/**
 * A recorded value in words when it is a known status, kind or setting (`closed`, `zh-CN`), or a
 * rule's name that is also a field (`max_suspension_months`); else the value as it is. Given the
 * field it was recorded under, a word of that field's own comes first: an evidence file's
 * integrity check "failed" (`timeline_value_integrity_status_rejected`) where a due item or a
 * plan was "sent back" (`timeline_value_rejected`).
 */
export function timelineValueLabel(value: string, field?: string): string {
	if (!/^[a-zA-Z][\w-]{0,60}$/.test(value)) return value;
	const key = value.replace(/-/g, '_');
	const catalogue = m as unknown as Catalogue;
	const own = field
		? catalogue[`timeline_value_${field.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()}_${key}`]
		: undefined;
	return (
		own?.() ??
		catalogue[`timeline_value_${key}`]?.() ??
		catalogue[`timeline_field_${key}`]?.() ??
		value
	);
}
