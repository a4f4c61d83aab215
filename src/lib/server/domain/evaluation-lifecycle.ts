import type { EvaluationStatus } from '../../../../db/schema';
import { check, mayEver, type PermissionActor } from './permissions';

/*
 * An evaluation moves planned → in_progress → report_issued → closed (SPEC §3). This module holds
 * the status rules; who may run an evaluation is the `evaluation.run` capability (permissions.ts).
 */

export const EVALUATION_ACTIONS = ['start', 'issue_report', 'close'] as const;
export type EvaluationAction = (typeof EVALUATION_ACTIONS)[number];

const RULES: Record<EvaluationAction, { from: EvaluationStatus; to: EvaluationStatus }> = {
	start: { from: 'planned', to: 'in_progress' },
	issue_report: { from: 'in_progress', to: 'report_issued' },
	close: { from: 'report_issued', to: 'closed' }
};

export type EvaluationRefusal = 'wrong_role' | 'wrong_status' | 'not_on_team';

export type EvaluationDecision =
	| { ok: true; to: EvaluationStatus }
	| { ok: false; reason: EvaluationRefusal; expected?: EvaluationStatus };

/** Whether `actor` may take `action` on an evaluation in `status`: the capability, then the step. */
export function decideEvaluationStep(
	status: EvaluationStatus,
	action: EvaluationAction,
	actor: PermissionActor & { onTeam: boolean }
): EvaluationDecision {
	if (!mayEver(actor, 'evaluation.run')) return { ok: false, reason: 'wrong_role' };
	if (!check(actor, 'evaluation.run', { onTeam: actor.onTeam }).ok)
		return { ok: false, reason: 'not_on_team' };
	const rule = RULES[action];
	if (status !== rule.from) return { ok: false, reason: 'wrong_status', expected: rule.from };
	return { ok: true, to: rule.to };
}

/** Findings can be recorded while the evaluation is under way (not before, not after the report). */
export function mayRecordFindings(status: EvaluationStatus): boolean {
	return status === 'in_progress';
}

/** The plan (window and team) may change until the evaluation starts. */
export function mayEditPlan(status: EvaluationStatus): boolean {
	return status === 'planned';
}

/**
 * A finding carried into an evaluation from outside its on-site work (a late recurring obligation
 * raised "in the next evaluation", SPEC §4) may go to one that is planned — its plan is still
 * open, and the finding is on its agenda when it starts — or under way. Not to one whose report
 * is issued (the organisation already has its findings) or that is closed.
 */
export function mayCarryFindingInto(status: EvaluationStatus): boolean {
	return mayEditPlan(status) || mayRecordFindings(status);
}
