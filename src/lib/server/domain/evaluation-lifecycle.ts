import type { EvaluationStatus, Role } from '../../../../db/schema';

/* An evaluation moves planned → in_progress → report_issued → closed (SPEC §3). */

export const EVALUATION_ACTIONS = ['start', 'issue_report', 'close'] as const;
export type EvaluationAction = (typeof EVALUATION_ACTIONS)[number];

const RULES: Record<EvaluationAction, { from: EvaluationStatus; to: EvaluationStatus }> = {
	start: { from: 'planned', to: 'in_progress' },
	issue_report: { from: 'in_progress', to: 'report_issued' },
	close: { from: 'report_issued', to: 'closed' }
};

const EVALUATION_ROLES: readonly Role[] = ['admin', 'evaluator'];

export type EvaluationRefusal = 'wrong_role' | 'wrong_status' | 'not_on_team';

export type EvaluationDecision =
	| { ok: true; to: EvaluationStatus }
	| { ok: false; reason: EvaluationRefusal; expected?: EvaluationStatus };

/** Evaluators run only the evaluations they are on the team of; an admin may run any. */
export function decideEvaluationStep(
	status: EvaluationStatus,
	action: EvaluationAction,
	actor: { role: Role; onTeam: boolean }
): EvaluationDecision {
	if (!EVALUATION_ROLES.includes(actor.role)) return { ok: false, reason: 'wrong_role' };
	if (actor.role === 'evaluator' && !actor.onTeam) return { ok: false, reason: 'not_on_team' };
	const rule = RULES[action];
	if (status !== rule.from) return { ok: false, reason: 'wrong_status', expected: rule.from };
	return { ok: true, to: rule.to };
}

/** Findings can be recorded while the evaluation is under way (not before, not after the report). */
export function mayRecordFindings(status: EvaluationStatus): boolean {
	return status === 'in_progress';
}
