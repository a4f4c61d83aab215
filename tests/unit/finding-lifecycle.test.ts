import { describe, it, expect } from 'vitest';
import { lifecycleSide } from '../../src/lib/server/domain/permissions';
import type { FindingKind, FindingStatus, Role } from '../../db/schema';
import {
	FINDING_ACTIONS,
	FINDING_STATUSES,
	availableActions,
	decideTransition,
	isOverdue,
	sideToAct,
	type FindingAction,
	type TransitionDecision,
	type TransitionRequest
} from '../../src/lib/server/domain/finding-lifecycle';

/*
 * The nonconformity life cycle, checked exhaustively against SPEC §4 written out again here,
 * independently of the module:
 *
 *   open ─(org submits response)→ response_submitted ─(CB rejects plan)→ open
 *   response_submitted ─(CB accepts plan)→ action_in_progress
 *   action_in_progress ─(org submits evidence)→ evidence_submitted
 *   evidence_submitted ─(CB rejects evidence)→ action_in_progress
 *   evidence_submitted ─(CB verifies effective)→ closed
 *
 * "org" is the finding's own organisation (org_admin, org_member); "CB" is the body's admin and
 * evaluators (decision makers decide on certificates, they do not review findings). Only
 * nonconformities have this life cycle, and only once the evaluation's report is issued.
 */

const ORG_A = '11111111-1111-1111-1111-111111111111';
const ORG_B = '22222222-2222-2222-2222-222222222222';

const STATUSES: FindingStatus[] = [
	'open',
	'response_submitted',
	'action_in_progress',
	'evidence_submitted',
	'closed'
];
const ACTIONS: FindingAction[] = [
	'submit_response',
	'accept_response',
	'reject_response',
	'submit_evidence',
	'reject_evidence',
	'verify_effective'
];
const ROLES: Role[] = ['admin', 'evaluator', 'decision_maker', 'org_admin', 'org_member'];
const KINDS: FindingKind[] = ['nonconformity', 'observation', 'opportunity'];
/** Whose organisation the actor belongs to, relative to the finding's (ORG_A). */
const AFFILIATIONS = ['own', 'other', 'none'] as const;
type Affiliation = (typeof AFFILIATIONS)[number];

/** SPEC §4, edge by edge: [from, action, to, who acts]. */
const DIAGRAM: [FindingStatus, FindingAction, FindingStatus, 'org' | 'cb'][] = [
	['open', 'submit_response', 'response_submitted', 'org'],
	['response_submitted', 'reject_response', 'open', 'cb'],
	['response_submitted', 'accept_response', 'action_in_progress', 'cb'],
	['action_in_progress', 'submit_evidence', 'evidence_submitted', 'org'],
	['evidence_submitted', 'reject_evidence', 'action_in_progress', 'cb'],
	['evidence_submitted', 'verify_effective', 'closed', 'cb']
];
const WHO_MAY: Record<'org' | 'cb', Role[]> = {
	org: ['org_admin', 'org_member'],
	cb: ['admin', 'evaluator']
};

interface Case {
	status: FindingStatus;
	action: FindingAction;
	role: Role;
	affiliation: Affiliation;
	reportIssued: boolean;
	kind: FindingKind;
}

function organisationOf(affiliation: Affiliation): string | null {
	return affiliation === 'own' ? ORG_A : affiliation === 'other' ? ORG_B : null;
}

function request(c: Case): TransitionRequest {
	return {
		finding: {
			kind: c.kind,
			status: c.status,
			organisationId: ORG_A,
			reportIssued: c.reportIssued
		},
		action: c.action,
		actor: { role: c.role, organisationId: organisationOf(c.affiliation) }
	};
}

/** What SPEC §4 says should happen, and why not when it should not (checked in this order). */
function expected(c: Case): TransitionDecision {
	const edge = DIAGRAM.find(([, action]) => action === c.action)!;
	const [from, , to, who] = edge;
	if (c.kind !== 'nonconformity') return { ok: false, reason: 'not_a_nonconformity' };
	if (!WHO_MAY[who].includes(c.role)) return { ok: false, reason: 'wrong_role' };
	// Organisation users act on their own organisation's findings only; CB staff on any.
	if (who === 'org' && c.affiliation !== 'own') return { ok: false, reason: 'other_organisation' };
	if (!c.reportIssued) return { ok: false, reason: 'report_not_issued' };
	if (c.status !== from) return { ok: false, reason: 'wrong_status', expected: from };
	return { ok: true, to, side: who === 'org' ? 'organisation' : 'body' };
}

function* allCases(status: FindingStatus, action: FindingAction): Generator<Case> {
	for (const role of ROLES)
		for (const affiliation of AFFILIATIONS)
			for (const reportIssued of [true, false])
				for (const kind of KINDS) yield { status, action, role, affiliation, reportIssued, kind };
}

const label = (c: Case) =>
	`${c.role}/${c.affiliation}/${c.reportIssued ? 'issued' : 'not issued'}/${c.kind}`;

describe('the vocabulary', () => {
	it('has exactly the statuses of SPEC §4, in life-cycle order', () => {
		expect([...FINDING_STATUSES]).toEqual(STATUSES);
	});

	it('has exactly the six transitions of SPEC §4', () => {
		expect([...FINDING_ACTIONS]).toEqual(ACTIONS);
	});
});

describe('decideTransition, every status × action × role × organisation × report × kind', () => {
	describe.each(STATUSES)('from %s', (status) => {
		it.each(ACTIONS)('%s', (action) => {
			const actual: Record<string, TransitionDecision> = {};
			const wanted: Record<string, TransitionDecision> = {};
			for (const c of allCases(status, action)) {
				actual[label(c)] = decideTransition(request(c));
				wanted[label(c)] = expected(c);
			}
			expect(Object.keys(actual)).toHaveLength(
				ROLES.length * AFFILIATIONS.length * 2 * KINDS.length
			);
			expect(actual).toEqual(wanted);
		});
	});

	it('allows exactly the diagram’s six edges, each to its two roles, for the own organisation', () => {
		const allowed = new Set<string>();
		for (const status of STATUSES)
			for (const action of ACTIONS)
				for (const c of allCases(status, action)) {
					const decision = decideTransition(request(c));
					if (decision.ok)
						allowed.add(`${status} -${action}-> ${decision.to} by ${c.role}/${c.affiliation}`);
				}
		expect([...allowed].sort()).toEqual(
			[
				'open -submit_response-> response_submitted by org_admin/own',
				'open -submit_response-> response_submitted by org_member/own',
				'response_submitted -reject_response-> open by admin/own',
				'response_submitted -reject_response-> open by admin/other',
				'response_submitted -reject_response-> open by admin/none',
				'response_submitted -reject_response-> open by evaluator/own',
				'response_submitted -reject_response-> open by evaluator/other',
				'response_submitted -reject_response-> open by evaluator/none',
				'response_submitted -accept_response-> action_in_progress by admin/own',
				'response_submitted -accept_response-> action_in_progress by admin/other',
				'response_submitted -accept_response-> action_in_progress by admin/none',
				'response_submitted -accept_response-> action_in_progress by evaluator/own',
				'response_submitted -accept_response-> action_in_progress by evaluator/other',
				'response_submitted -accept_response-> action_in_progress by evaluator/none',
				'action_in_progress -submit_evidence-> evidence_submitted by org_admin/own',
				'action_in_progress -submit_evidence-> evidence_submitted by org_member/own',
				'evidence_submitted -reject_evidence-> action_in_progress by admin/own',
				'evidence_submitted -reject_evidence-> action_in_progress by admin/other',
				'evidence_submitted -reject_evidence-> action_in_progress by admin/none',
				'evidence_submitted -reject_evidence-> action_in_progress by evaluator/own',
				'evidence_submitted -reject_evidence-> action_in_progress by evaluator/other',
				'evidence_submitted -reject_evidence-> action_in_progress by evaluator/none',
				'evidence_submitted -verify_effective-> closed by admin/own',
				'evidence_submitted -verify_effective-> closed by admin/other',
				'evidence_submitted -verify_effective-> closed by admin/none',
				'evidence_submitted -verify_effective-> closed by evaluator/own',
				'evidence_submitted -verify_effective-> closed by evaluator/other',
				'evidence_submitted -verify_effective-> closed by evaluator/none'
			].sort()
		);
	});

	it('never lets a decision maker move a finding', () => {
		for (const status of STATUSES)
			for (const action of ACTIONS)
				for (const c of allCases(status, action))
					if (c.role === 'decision_maker')
						expect(decideTransition(request(c))).toMatchObject({ ok: false });
	});

	it('lets a role act only for the side permissions give it (lifecycleSide)', () => {
		for (const status of STATUSES)
			for (const action of ACTIONS)
				for (const c of allCases(status, action)) {
					const decision = decideTransition(request(c));
					if (decision.ok) expect(decision.side).toBe(lifecycleSide(c.role));
					if (lifecycleSide(c.role) === null) expect(decision.ok).toBe(false);
				}
	});

	it('leaves closed findings closed: no action from closed, by anyone', () => {
		for (const action of ACTIONS)
			for (const c of allCases('closed', action))
				expect(decideTransition(request(c)).ok).toBe(false);
	});

	it('names the status an action needs when the status is wrong', () => {
		expect(
			decideTransition(
				request({
					status: 'open',
					action: 'verify_effective',
					role: 'evaluator',
					affiliation: 'none',
					reportIssued: true,
					kind: 'nonconformity'
				})
			)
		).toEqual({ ok: false, reason: 'wrong_status', expected: 'evidence_submitted' });
	});
});

describe('availableActions', () => {
	it.each(STATUSES)('offers in %s exactly the actions decideTransition allows', (status) => {
		for (const role of ROLES)
			for (const affiliation of AFFILIATIONS)
				for (const reportIssued of [true, false])
					for (const kind of KINDS) {
						const c = { status, action: ACTIONS[0]!, role, affiliation, reportIssued, kind };
						const { finding, actor } = request(c);
						const wanted = ACTIONS.filter((action) => expected({ ...c, action }).ok);
						expect(availableActions(finding, actor), label(c)).toEqual(wanted);
					}
	});

	it('offers the organisation its one next step and the body its two choices', () => {
		const finding = (status: FindingStatus) => ({
			kind: 'nonconformity' as const,
			status,
			organisationId: ORG_A,
			reportIssued: true
		});
		const org = { role: 'org_member' as const, organisationId: ORG_A };
		const cb = { role: 'evaluator' as const, organisationId: null };
		expect(availableActions(finding('open'), org)).toEqual(['submit_response']);
		expect(availableActions(finding('open'), cb)).toEqual([]);
		expect(availableActions(finding('response_submitted'), org)).toEqual([]);
		expect(availableActions(finding('response_submitted'), cb)).toEqual([
			'accept_response',
			'reject_response'
		]);
		expect(availableActions(finding('action_in_progress'), org)).toEqual(['submit_evidence']);
		expect(availableActions(finding('action_in_progress'), cb)).toEqual([]);
		expect(availableActions(finding('evidence_submitted'), org)).toEqual([]);
		expect(availableActions(finding('evidence_submitted'), cb)).toEqual([
			'reject_evidence',
			'verify_effective'
		]);
		expect(availableActions(finding('closed'), org)).toEqual([]);
		expect(availableActions(finding('closed'), cb)).toEqual([]);
	});
});

describe('sideToAct', () => {
	it('names who acts next in each status', () => {
		expect(Object.fromEntries(STATUSES.map((status) => [status, sideToAct(status)]))).toEqual({
			open: 'organisation',
			response_submitted: 'body',
			action_in_progress: 'organisation',
			evidence_submitted: 'body',
			closed: null
		});
	});

	it.each(STATUSES)('agrees with the side of every transition out of %s', (status) => {
		const sides = new Set(
			DIAGRAM.filter(([from]) => from === status).map(([, , , who]) =>
				who === 'org' ? 'organisation' : 'body'
			)
		);
		expect(sides.size).toBeLessThanOrEqual(1);
		expect(sideToAct(status)).toBe([...sides][0] ?? null);
	});
});

describe('isOverdue', () => {
	const today = '2026-11-26';

	it.each(STATUSES.filter((s) => s !== 'closed'))(
		'%s: overdue the day after its due date, not on it or before',
		(status) => {
			expect(isOverdue({ status, due_on: '2026-11-25' }, today)).toBe(true);
			expect(isOverdue({ status, due_on: '2025-01-01' }, today)).toBe(true);
			expect(isOverdue({ status, due_on: today }, today)).toBe(false);
			expect(isOverdue({ status, due_on: '2026-11-27' }, today)).toBe(false);
		}
	);

	it('is never overdue once closed', () => {
		for (const due of ['2000-01-01', '2026-11-25', today, '2030-01-01', null])
			expect(isOverdue({ status: 'closed', due_on: due }, today)).toBe(false);
	});

	it.each(STATUSES)('%s with no due date is never overdue', (status) => {
		expect(isOverdue({ status, due_on: null }, today)).toBe(false);
	});

	it('counts across month and year ends by calendar day', () => {
		expect(isOverdue({ status: 'open', due_on: '2026-12-31' }, '2027-01-01')).toBe(true);
		expect(isOverdue({ status: 'open', due_on: '2027-01-01' }, '2027-01-01')).toBe(false);
		expect(isOverdue({ status: 'open', due_on: '2028-02-29' }, '2028-03-01')).toBe(true);
		expect(isOverdue({ status: 'open', due_on: '2026-09-30' }, '2026-10-01')).toBe(true);
	});
});
