import type { FindingKind, FindingStatus, Role } from '../../../../db/schema';
import { lifecycleSide } from './permissions';

/*
 * The nonconformity life cycle (SPEC §4). Every path that changes a finding's status asks
 * `decideTransition`; the service turns a refusal into a message in the user's language.
 *
 *   open ─(org submits response)→ response_submitted ─(CB rejects plan)→ open
 *                                       │ (CB accepts plan)
 *                                       ▼
 *                               action_in_progress ─(org submits evidence)→ evidence_submitted
 *                                       ▲                                        │       │
 *                                       └──────────(CB rejects evidence)─────────┘       │ (CB verifies effective)
 *                                                                                        ▼
 *                                                                                      closed
 */

export const FINDING_STATUSES: readonly FindingStatus[] = [
	'open',
	'response_submitted',
	'action_in_progress',
	'evidence_submitted',
	'closed'
];

export const FINDING_ACTIONS = [
	'submit_response',
	'accept_response',
	'reject_response',
	'submit_evidence',
	'reject_evidence',
	'verify_effective'
] as const;

export type FindingAction = (typeof FINDING_ACTIONS)[number];

/** Which side acts: the certified organisation, or the certification body's evaluators. */
export type Side = 'organisation' | 'body';

interface TransitionRule {
	from: FindingStatus;
	to: FindingStatus;
	side: Side;
}

const RULES: Record<FindingAction, TransitionRule> = {
	submit_response: { from: 'open', to: 'response_submitted', side: 'organisation' },
	accept_response: { from: 'response_submitted', to: 'action_in_progress', side: 'body' },
	reject_response: { from: 'response_submitted', to: 'open', side: 'body' },
	submit_evidence: { from: 'action_in_progress', to: 'evidence_submitted', side: 'organisation' },
	reject_evidence: { from: 'evidence_submitted', to: 'action_in_progress', side: 'body' },
	verify_effective: { from: 'evidence_submitted', to: 'closed', side: 'body' }
};

export type TransitionRefusal =
	| 'not_a_nonconformity'
	| 'report_not_issued'
	| 'wrong_status'
	| 'wrong_role'
	| 'other_organisation';

export type TransitionDecision =
	| { ok: true; to: FindingStatus; side: Side }
	| { ok: false; reason: TransitionRefusal; expected?: FindingStatus };

export interface TransitionRequest {
	finding: {
		kind: FindingKind;
		status: FindingStatus;
		/** The organisation the finding's evaluation is of. */
		organisationId: string;
		/** Findings reach the organisation only once the evaluation report is issued. */
		reportIssued: boolean;
	};
	action: FindingAction;
	actor: { role: Role; organisationId: string | null };
}

export function decideTransition({
	finding,
	action,
	actor
}: TransitionRequest): TransitionDecision {
	const rule = RULES[action];
	if (finding.kind !== 'nonconformity') return { ok: false, reason: 'not_a_nonconformity' };
	// Which roles act for which side is permissions' word; decision makers act for neither.
	if (lifecycleSide(actor.role) !== rule.side) return { ok: false, reason: 'wrong_role' };
	if (rule.side === 'organisation' && actor.organisationId !== finding.organisationId)
		return { ok: false, reason: 'other_organisation' };
	if (!finding.reportIssued) return { ok: false, reason: 'report_not_issued' };
	if (finding.status !== rule.from)
		return { ok: false, reason: 'wrong_status', expected: rule.from };
	return { ok: true, to: rule.to, side: rule.side };
}

/**
 * The actions the life cycle opens to `actor` on `finding` now. The body's steps are also the
 * evaluation team's only (`finding.review`): the finding page asks that as well.
 */
export function availableActions(
	finding: TransitionRequest['finding'],
	actor: TransitionRequest['actor']
): FindingAction[] {
	return FINDING_ACTIONS.filter((action) => decideTransition({ finding, action, actor }).ok);
}

/** Who acts next in each status, for "waiting for" labels and for the reminder emails. */
export function sideToAct(status: FindingStatus): Side | null {
	switch (status) {
		case 'open':
		case 'action_in_progress':
			return 'organisation';
		case 'response_submitted':
		case 'evidence_submitted':
			return 'body';
		case 'closed':
			return null;
	}
}

/** Overdue is derived, never stored: past its due date and not closed. */
export function isOverdue(
	finding: { status: FindingStatus; due_on: string | null },
	today: string
): boolean {
	return finding.status !== 'closed' && finding.due_on !== null && finding.due_on < today;
}
