import { describe, expect, it } from 'vitest';
import type { DecisionKind, FindingStatus, NonconformityGrade, Role } from '../../db/schema';
import { decideCertification } from '../../src/lib/server/domain/certification-decision';
import { queueRowLink } from '../../src/lib/server/domain/work-queues';

/*
 * Issue 12 item 1: a grant starts from no certificate yet (`certificateStatus: null`), and only a
 * grant does; it follows the same rules as every decision — a decision maker, never one of the
 * evaluation's team, a reason, no open major and no minor without an accepted plan. And the
 * decision maker's queue leads an initial evaluation to its grant page.
 */

const nc = (grade: NonconformityGrade, status: FindingStatus) => ({
	kind: 'nonconformity' as const,
	grade,
	status
});

const grant = (overrides: Partial<Parameters<typeof decideCertification>[0]> = {}) =>
	decideCertification({
		kind: 'grant',
		reason: '初次评价符合要求',
		certificateStatus: null,
		actor: { role: 'decision_maker', onEvaluationTeam: false },
		findings: [],
		...overrides
	});

describe('a grant decision', () => {
	it('issues an active certificate for an impartial decision maker with nothing blocking', () => {
		expect(grant()).toEqual({ ok: true, status: 'active' });
		expect(grant({ findings: [nc('major', 'closed'), nc('minor', 'action_in_progress')] })).toEqual(
			{ ok: true, status: 'active' }
		);
	});

	it.each<Role>(['admin', 'evaluator', 'org_admin', 'org_member'])('is refused to %s', (role) => {
		expect(grant({ actor: { role, onEvaluationTeam: false } })).toEqual({
			ok: false,
			reason: 'wrong_role'
		});
	});

	it('is refused to a member of the evaluation team', () => {
		expect(grant({ actor: { role: 'decision_maker', onEvaluationTeam: true } })).toEqual({
			ok: false,
			reason: 'team_member'
		});
	});

	it('needs a reason', () => {
		expect(grant({ reason: '  ' })).toEqual({ ok: false, reason: 'reason_required' });
	});

	it.each<FindingStatus>([
		'open',
		'response_submitted',
		'action_in_progress',
		'evidence_submitted'
	])('waits for a major %s to close', (status) => {
		expect(grant({ findings: [nc('major', status)] })).toEqual({
			ok: false,
			reason: 'major_not_closed'
		});
	});

	it.each<FindingStatus>(['open', 'response_submitted'])(
		'waits for a minor %s to have an accepted plan',
		(status) => {
			expect(grant({ findings: [nc('minor', status)] })).toEqual({
				ok: false,
				reason: 'minor_without_accepted_plan'
			});
		}
	);

	it('applies to no existing certificate, and nothing but a grant starts from none', () => {
		for (const certificateStatus of ['active', 'suspended', 'withdrawn', 'expired'] as const)
			expect(grant({ certificateStatus })).toEqual({ ok: false, reason: 'certificate_status' });
		const others: DecisionKind[] = [
			'maintain',
			'regrade',
			'suspend',
			'withdraw',
			'restore',
			'reduce_scope'
		];
		for (const kind of others)
			expect(
				grant({ kind, newGradeLevelId: 'g', currentGradeLevelId: 'h', newScope: 's' })
			).toEqual({ ok: false, reason: 'certificate_status' });
	});
});

describe('the awaiting-decision queue', () => {
	it('leads an initial evaluation to its grant page and the others to the evaluation', () => {
		expect(queueRowLink('awaiting-decision', 'e1', 'initial')).toBe('/evaluations/e1/grant');
		expect(queueRowLink('awaiting-decision', 'e2', 'surveillance')).toBe('/evaluations/e2');
		expect(queueRowLink('reports-to-issue', 'e3', 'initial')).toBe('/evaluations/e3');
	});
});
