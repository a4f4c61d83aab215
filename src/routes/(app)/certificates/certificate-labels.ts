import { m } from '$lib/paraglide/messages';

/* Names of the enumerations the certificate page shows, in the current language. */

const changes: Record<string, () => string> = {
	issued: m.organisations_history_issued,
	status: m.organisations_history_status,
	grade: m.organisations_history_grade,
	scope: m.organisations_history_scope,
	expired: m.organisations_history_expired,
	renewed: m.organisations_history_renewed,
	imported: m.certificate_history_imported,
	transferred: m.certificate_history_transferred
};

const previousBodyEvents: Record<string, () => string> = {
	issued: m.certificate_previous_event_issued,
	surveillance: m.certificate_previous_event_surveillance,
	renewed: m.certificate_previous_event_renewed,
	scope_extended: m.certificate_previous_event_scope_extended,
	scope_reduced: m.certificate_previous_event_scope_reduced,
	suspended: m.certificate_previous_event_suspended,
	restored: m.certificate_previous_event_restored
};

const decisions: Record<string, () => string> = {
	grant: m.organisations_decision_grant,
	maintain: m.organisations_decision_maintain,
	regrade: m.organisations_decision_regrade,
	suspend: m.organisations_decision_suspend,
	withdraw: m.organisations_decision_withdraw,
	restore: m.organisations_decision_restore,
	reduce_scope: m.organisations_decision_reduce_scope,
	renew: m.organisations_decision_renew,
	extend_scope: m.organisations_decision_extend_scope
};

const scopeItemKinds: Record<string, () => string> = {
	site: m.renewal_scope_kind_site,
	service_outlet: m.renewal_scope_kind_service_outlet,
	product_line: m.renewal_scope_kind_product_line
};

const evaluationKinds: Record<string, () => string> = {
	initial: m.organisations_evaluation_initial,
	surveillance: m.organisations_evaluation_surveillance,
	recertification: m.organisations_evaluation_recertification,
	special: m.organisations_evaluation_special
};

const evaluationStatuses: Record<string, () => string> = {
	planned: m.organisations_evaluation_planned,
	in_progress: m.organisations_evaluation_in_progress,
	report_issued: m.organisations_evaluation_report_issued,
	closed: m.organisations_evaluation_closed
};

export const historyChangeLabel = (change: string) => changes[change]?.() ?? change;
/** What happened to a transferred certificate at the body that held it before. */
export const previousBodyEventLabel = (event: string) => previousBodyEvents[event]?.() ?? event;
export const decisionKindLabel = (kind: string) => decisions[kind]?.() ?? kind;
export const evaluationKindLabel = (kind: string) => evaluationKinds[kind]?.() ?? kind;
export const evaluationStatusLabel = (status: string) => evaluationStatuses[status]?.() ?? status;
export const scopeItemKindLabel = (kind: string) => scopeItemKinds[kind]?.() ?? kind;
