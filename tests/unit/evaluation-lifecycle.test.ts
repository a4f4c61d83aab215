import { describe, it, expect } from 'vitest';
import type { EvaluationStatus, Role } from '../../db/schema';
import {
	EVALUATION_ACTIONS,
	decideEvaluationStep,
	mayCarryFindingInto,
	mayRecordFindings,
	type EvaluationAction,
	type EvaluationDecision
} from '../../src/lib/server/domain/evaluation-lifecycle';
import { check } from '../../src/lib/server/domain/permissions';

/*
 * An evaluation moves planned → in_progress → report_issued → closed (SPEC §3), run by the body's
 * evaluators (those on its team) or an admin; organisation users and decision makers never move
 * it. Written out again here, independently of the module.
 */

const STATUSES: EvaluationStatus[] = ['planned', 'in_progress', 'report_issued', 'closed'];
const ACTIONS: EvaluationAction[] = ['start', 'issue_report', 'close'];
const ROLES: Role[] = ['admin', 'evaluator', 'decision_maker', 'org_admin', 'org_member'];

/** [action, from, to] */
const STEPS: [EvaluationAction, EvaluationStatus, EvaluationStatus][] = [
	['start', 'planned', 'in_progress'],
	['issue_report', 'in_progress', 'report_issued'],
	['close', 'report_issued', 'closed']
];

function expected(
	status: EvaluationStatus,
	action: EvaluationAction,
	role: Role,
	onTeam: boolean
): EvaluationDecision {
	const [, from, to] = STEPS.find(([a]) => a === action)!;
	if (role !== 'admin' && role !== 'evaluator') return { ok: false, reason: 'wrong_role' };
	if (role === 'evaluator' && !onTeam) return { ok: false, reason: 'not_on_team' };
	if (status !== from) return { ok: false, reason: 'wrong_status', expected: from };
	return { ok: true, to };
}

describe('evaluation life cycle', () => {
	it('has exactly the three steps', () => {
		expect([...EVALUATION_ACTIONS]).toEqual(ACTIONS);
	});

	describe.each(STATUSES)('from %s', (status) => {
		it.each(ACTIONS)('%s, for every role on and off the team', (action) => {
			const actual: Record<string, EvaluationDecision> = {};
			const wanted: Record<string, EvaluationDecision> = {};
			for (const role of ROLES)
				for (const onTeam of [true, false]) {
					const key = `${role}/${onTeam ? 'on team' : 'off team'}`;
					actual[key] = decideEvaluationStep(status, action, { role, onTeam });
					wanted[key] = expected(status, action, role, onTeam);
				}
			expect(Object.keys(actual)).toHaveLength(10);
			expect(actual).toEqual(wanted);
		});
	});

	it('walks an evaluation from planned to closed, one step at a time', () => {
		let status: EvaluationStatus = 'planned';
		for (const action of ACTIONS) {
			const decision = decideEvaluationStep(status, action, { role: 'evaluator', onTeam: true });
			expect(decision.ok).toBe(true);
			if (decision.ok) status = decision.to;
		}
		expect(status).toBe('closed');
	});

	it('lets an admin run an evaluation they are not on the team of', () => {
		expect(decideEvaluationStep('planned', 'start', { role: 'admin', onTeam: false })).toEqual({
			ok: true,
			to: 'in_progress'
		});
	});

	it('never skips a step or goes back', () => {
		for (const status of STATUSES)
			for (const action of ACTIONS) {
				const decision = decideEvaluationStep(status, action, { role: 'admin', onTeam: true });
				if (decision.ok) expect(STATUSES.indexOf(decision.to)).toBe(STATUSES.indexOf(status) + 1);
			}
		for (const action of ACTIONS)
			expect(decideEvaluationStep('closed', action, { role: 'admin', onTeam: true }).ok).toBe(
				false
			);
	});
});

describe('mayRecordFindings', () => {
	it('allows findings only while the evaluation is in progress', () => {
		expect(Object.fromEntries(STATUSES.map((s) => [s, mayRecordFindings(s)]))).toEqual({
			planned: false,
			in_progress: true,
			report_issued: false,
			closed: false
		});
	});
});

describe('mayCarryFindingInto', () => {
	it('takes a finding carried in (a late obligation) while planned or in progress, not after the report', () => {
		expect(Object.fromEntries(STATUSES.map((s) => [s, mayCarryFindingInto(s)]))).toEqual({
			planned: true,
			in_progress: true,
			report_issued: false,
			closed: false
		});
	});
});

describe('who runs an evaluation', () => {
	it('is the evaluation.run capability, not a list of its own', () => {
		for (const role of ROLES)
			for (const onTeam of [true, false]) {
				const decision = decideEvaluationStep('planned', 'start', { role, onTeam });
				expect(decision.ok, `${role}/${onTeam}`).toBe(
					check({ role }, 'evaluation.run', { onTeam }).ok
				);
			}
	});
});
