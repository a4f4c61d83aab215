import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';

/* Words for the finding pages (the finding, "my actions", decisions), in the current language. */

type Words = Record<string, (() => string) | undefined>;

const statuses: Words = {
	open: m.findings_status_open,
	response_submitted: m.findings_status_response_submitted,
	action_in_progress: m.findings_status_action_in_progress,
	evidence_submitted: m.findings_status_evidence_submitted,
	closed: m.findings_status_closed
};

const kinds: Words = {
	nonconformity: m.findings_kind_nonconformity,
	observation: m.findings_kind_observation,
	opportunity: m.findings_kind_opportunity
};

const grades: Words = { major: m.findings_grade_major, minor: m.findings_grade_minor };

const evaluationKinds: Words = {
	initial: m.findings_evaluation_kind_initial,
	surveillance: m.findings_evaluation_kind_surveillance,
	recertification: m.findings_evaluation_kind_recertification,
	special: m.findings_evaluation_kind_special
};

const decisionKinds: Words = {
	grant: m.findings_decision_kind_grant,
	maintain: m.findings_decision_kind_maintain,
	regrade: m.findings_decision_kind_regrade,
	suspend: m.findings_decision_kind_suspend,
	withdraw: m.findings_decision_kind_withdraw,
	restore: m.findings_decision_kind_restore,
	reduce_scope: m.findings_decision_kind_reduce_scope,
	renew: m.findings_decision_kind_renew,
	extend_scope: m.findings_decision_kind_extend_scope
};

const decisionHints: Words = {
	maintain: m.findings_decision_hint_maintain,
	regrade: m.findings_decision_hint_regrade,
	suspend: m.findings_decision_hint_suspend,
	withdraw: m.findings_decision_hint_withdraw,
	restore: m.findings_decision_hint_restore,
	reduce_scope: m.findings_decision_hint_reduce_scope,
	renew: m.findings_decision_hint_renew,
	extend_scope: m.findings_decision_hint_extend_scope
};

const word = (words: Words, key: string | null | undefined) => (key ? (words[key]?.() ?? key) : '');

export const findingStatusLabel = (status: string) => word(statuses, status);
export const findingKindLabel = (kind: string) => word(kinds, kind);
export const gradeLabel = (grade: string | null) => word(grades, grade);
export const evaluationKindLabel = (kind: string) => word(evaluationKinds, kind);
export const decisionKindLabel = (kind: string) => word(decisionKinds, kind);
export const decisionHint = (kind: string) => word(decisionHints, kind);

/** The pill colour of a finding status: green closed, amber with the organisation, grey with the body. */
export function statusPillClass(status: string): string {
	if (status === 'closed') return 'active';
	if (status === 'open' || status === 'action_in_progress') return 'suspended';
	return 'expired';
}

/** "Due in 3 days", "Due today", "5 days overdue". */
export function dueLabel(daysLeft: number | null, closed = false): string {
	if (daysLeft === null || closed) return '';
	if (daysLeft > 0) return m.findings_days_left({ days: daysLeft });
	if (daysLeft === 0) return m.findings_due_today();
	return m.findings_days_overdue({ days: -daysLeft });
}

/** Times in the tenant's zone, from the one formatter module. */
export { formatDateTime } from '$lib/time-format';

export function formatBytes(bytes: number): string {
	const units = ['B', 'KB', 'MB', 'GB'];
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit += 1;
	}
	const digits = unit === 0 || value >= 10 ? 0 : 1;
	return `${value.toLocaleString(getLocale(), { maximumFractionDigits: digits })} ${units[unit]}`;
}

/** A title in the current language: the English one when there is one, in English. */
export function localTitle(zh: string, en: string | null | undefined): string {
	return getLocale() === 'en' && en ? en : zh;
}
