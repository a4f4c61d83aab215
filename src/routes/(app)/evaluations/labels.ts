import { m } from '$lib/paraglide/messages';

/* Names of evaluation and finding enumerations, in the current language (pages of this area). */

const evaluationKinds: Record<string, () => string> = {
	initial: m.evaluations_kind_initial,
	surveillance: m.evaluations_kind_surveillance,
	recertification: m.evaluations_kind_recertification,
	special: m.evaluations_kind_special
};

const evaluationStatuses: Record<string, () => string> = {
	planned: m.evaluations_status_planned,
	in_progress: m.evaluations_status_in_progress,
	report_issued: m.evaluations_status_report_issued,
	closed: m.evaluations_status_closed
};

const findingKinds: Record<string, () => string> = {
	nonconformity: m.evaluations_finding_kind_nonconformity,
	observation: m.evaluations_finding_kind_observation,
	opportunity: m.evaluations_finding_kind_opportunity
};

const grades: Record<string, () => string> = {
	major: m.evaluations_grade_major,
	minor: m.evaluations_grade_minor
};

// One wording for a finding's status everywhere: the finding page's.
const findingStatuses: Record<string, () => string> = {
	open: m.findings_status_open,
	response_submitted: m.findings_status_response_submitted,
	action_in_progress: m.findings_status_action_in_progress,
	evidence_submitted: m.findings_status_evidence_submitted,
	closed: m.findings_status_closed
};

const label = (names: Record<string, () => string>) => (value: string) => names[value]?.() ?? value;

export const evaluationKindLabel = label(evaluationKinds);
export const evaluationStatusLabel = label(evaluationStatuses);
export const findingKindLabel = label(findingKinds);
export const gradeLabel = label(grades);
export const findingStatusLabel = label(findingStatuses);

/** "Nonconformity · Major", or the kind alone. */
export function findingKindAndGrade(kind: string, grade: string | null): string {
	return grade ? `${findingKindLabel(kind)} · ${gradeLabel(grade)}` : findingKindLabel(kind);
}

/** The pill class a status reads best in (the shared pill colours). */
export function evaluationStatusPill(status: string): string {
	return status === 'closed'
		? 'expired'
		: status === 'report_issued'
			? 'active'
			: status === 'in_progress'
				? 'suspended'
				: 'planned';
}

export function findingStatusPill(status: string): string {
	return status === 'closed' ? 'expired' : status === 'open' ? 'withdrawn' : 'suspended';
}
