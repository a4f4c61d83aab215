import { describe, it, expect } from 'vitest';
import type {
	CertificateStatus,
	DecisionKind,
	FindingKind,
	FindingStatus,
	NonconformityGrade,
	Role
} from '../../db/schema';
import {
	decideCertification,
	type DecisionRequest,
	type DecisionVerdict
} from '../../src/lib/server/domain/certification-decision';
import { check } from '../../src/lib/server/domain/permissions';

/*
 * Certification decisions (SPEC §3; ISO/IEC 17021-1 9.5, 9.6.5; ISO/IEC 17065 7.8, 7.11), written
 * out again here independently of the module and compared over every decision kind × certificate
 * status × situation of the evaluation's findings × role × team membership:
 * - only a decision maker decides, and never on an evaluation they were on the team of;
 * - a reason is always recorded;
 * - maintain / regrade need an active certificate; suspend too; restore a suspended one;
 *   withdraw and reduce scope an active or suspended one; nothing is decided on an expired or
 *   withdrawn certificate; grant makes a new certificate, so never applies to an existing one;
 * - a decision that keeps or restores a certificate waits until every major nonconformity of the
 *   evaluation is verified closed and every minor one has an accepted plan; suspension and
 *   withdrawal answer those nonconformities, so they do not wait for them (SPEC §4: an overdue
 *   major flags the certificate for suspension);
 * - regrade needs a new grade, reduce scope the new scope.
 */

const KINDS: DecisionKind[] = [
	'grant',
	'maintain',
	'regrade',
	'suspend',
	'withdraw',
	'restore',
	'reduce_scope',
	'renew',
	'extend_scope'
];
const CERTIFICATE_STATUSES: CertificateStatus[] = ['active', 'suspended', 'withdrawn', 'expired'];
const ROLES: Role[] = ['admin', 'evaluator', 'decision_maker', 'org_admin', 'org_member'];
const FINDING_STATUSES: FindingStatus[] = [
	'open',
	'response_submitted',
	'action_in_progress',
	'evidence_submitted',
	'closed'
];

type Finding = { kind: FindingKind; grade: NonconformityGrade | null; status: FindingStatus };

const nc = (grade: NonconformityGrade, status: FindingStatus): Finding => ({
	kind: 'nonconformity',
	grade,
	status
});

/** The evaluation's findings, and what they should block (if anything) for a keeping decision. */
const SITUATIONS: { name: string; findings: Finding[]; blocks: 'major' | 'minor' | null }[] = [
	{ name: 'no findings', findings: [], blocks: null },
	...FINDING_STATUSES.map((status) => ({
		name: `major ${status}`,
		findings: [nc('major', status)],
		blocks: status === 'closed' ? null : ('major' as const)
	})),
	...FINDING_STATUSES.map((status) => ({
		name: `minor ${status}`,
		findings: [nc('minor', status)],
		// The plan is accepted once the response was accepted: action in progress or later.
		blocks: status === 'open' || status === 'response_submitted' ? ('minor' as const) : null
	})),
	...(['observation', 'opportunity'] as const).flatMap((kind) =>
		FINDING_STATUSES.map((status) => ({
			name: `${kind} ${status}`,
			findings: [{ kind, grade: null, status }],
			blocks: null
		}))
	),
	{
		name: 'major closed, minor plan accepted, observation open',
		findings: [
			nc('major', 'closed'),
			nc('minor', 'action_in_progress'),
			{ kind: 'observation', grade: null, status: 'open' }
		],
		blocks: null
	},
	{
		name: 'major closed, minor still open',
		findings: [nc('major', 'closed'), nc('minor', 'open')],
		blocks: 'minor'
	},
	{
		name: 'minor open and major evidence submitted (major reported first)',
		findings: [nc('minor', 'open'), nc('major', 'evidence_submitted')],
		blocks: 'major'
	},
	{
		name: 'two majors, one still open',
		findings: [nc('major', 'closed'), nc('major', 'open')],
		blocks: 'major'
	}
];

const ALLOWED_FROM: Record<DecisionKind, CertificateStatus[]> = {
	grant: [],
	maintain: ['active'],
	regrade: ['active'],
	suspend: ['active'],
	withdraw: ['active', 'suspended'],
	restore: ['suspended'],
	reduce_scope: ['active', 'suspended'],
	// Extension: an active certificate only (a suspended one is restored first). Renewal too, or
	// an expired one within 6 months of its expiry, which it restores (ISO/IEC 17021-1 9.6.3.2.5).
	renew: ['active', 'expired'],
	extend_scope: ['active']
};

const LEADS_TO: Record<DecisionKind, CertificateStatus | 'unchanged'> = {
	grant: 'active',
	maintain: 'unchanged',
	regrade: 'unchanged',
	suspend: 'suspended',
	withdraw: 'withdrawn',
	restore: 'active',
	reduce_scope: 'unchanged',
	renew: 'active',
	extend_scope: 'unchanged'
};

interface Case {
	kind: DecisionKind;
	certificateStatus: CertificateStatus;
	situation: (typeof SITUATIONS)[number];
	role: Role;
	onTeam: boolean;
}

/** A complete, valid request apart from what the case varies. */
function request(c: Case, overrides: Partial<DecisionRequest> = {}): DecisionRequest {
	return {
		kind: c.kind,
		reason: '监督评价结果符合要求 / surveillance found the service conforming',
		certificateStatus: c.certificateStatus,
		actor: { role: c.role, onEvaluationTeam: c.onTeam },
		findings: c.situation.findings,
		newGradeLevelId: 'grade-4-star',
		currentGradeLevelId: 'grade-5-star',
		newScope: '家用电器的售后服务（安装、维修）',
		evaluationKind: 'recertification',
		// Extending always adds items; reducing is tested with the text alone below.
		scopeItemsChanged: c.kind === 'extend_scope',
		validity: { expiresOn: '2029-01-09', today: '2028-12-01' },
		...overrides
	};
}

function expected(c: Case): DecisionVerdict {
	if (c.role !== 'decision_maker') return { ok: false, reason: 'wrong_role' };
	if (c.onTeam) return { ok: false, reason: 'team_member' };
	if (!ALLOWED_FROM[c.kind].includes(c.certificateStatus))
		return { ok: false, reason: 'certificate_status' };
	const answersNonconformities = c.kind === 'suspend' || c.kind === 'withdraw';
	if (!answersNonconformities && c.situation.blocks === 'major')
		return { ok: false, reason: 'major_not_closed' };
	if (!answersNonconformities && c.situation.blocks === 'minor')
		return { ok: false, reason: 'minor_without_accepted_plan' };
	const to = LEADS_TO[c.kind];
	return { ok: true, status: to === 'unchanged' ? c.certificateStatus : to };
}

describe('decideCertification, every kind × certificate status × findings × role × team', () => {
	describe.each(KINDS)('%s', (kind) => {
		it.each(CERTIFICATE_STATUSES)('on a %s certificate', (certificateStatus) => {
			const actual: Record<string, DecisionVerdict> = {};
			const wanted: Record<string, DecisionVerdict> = {};
			for (const situation of SITUATIONS)
				for (const role of ROLES)
					for (const onTeam of [false, true]) {
						const c = { kind, certificateStatus, situation, role, onTeam };
						const key = `${situation.name} / ${role} / ${onTeam ? 'on team' : 'not on team'}`;
						actual[key] = decideCertification(request(c));
						wanted[key] = expected(c);
					}
			expect(Object.keys(actual)).toHaveLength(SITUATIONS.length * ROLES.length * 2);
			expect(actual).toEqual(wanted);
		});
	});

	it('allows every kind but grant somewhere, for an impartial decision maker', () => {
		const allowed = new Set<string>();
		for (const kind of KINDS)
			for (const certificateStatus of CERTIFICATE_STATUSES) {
				const verdict = decideCertification(
					request({
						kind,
						certificateStatus,
						situation: SITUATIONS[0]!,
						role: 'decision_maker',
						onTeam: false
					})
				);
				if (verdict.ok) allowed.add(`${kind}: ${certificateStatus} → ${verdict.status}`);
			}
		expect([...allowed].sort()).toEqual(
			[
				'maintain: active → active',
				'regrade: active → active',
				'suspend: active → suspended',
				'withdraw: active → withdrawn',
				'withdraw: suspended → withdrawn',
				'restore: suspended → active',
				'reduce_scope: active → active',
				'reduce_scope: suspended → suspended',
				'renew: active → active',
				'renew: expired → active',
				'extend_scope: active → active'
			].sort()
		);
	});
});

describe('what a decision must carry', () => {
	const decider = (kind: DecisionKind, certificateStatus: CertificateStatus = 'active'): Case => ({
		kind,
		certificateStatus,
		situation: SITUATIONS[0]!,
		role: 'decision_maker',
		onTeam: false
	});

	it.each(KINDS.filter((k) => k !== 'grant'))('%s needs a reason', (kind) => {
		const status = kind === 'restore' ? 'suspended' : 'active';
		for (const reason of ['', '   ', '\n\t'])
			expect(decideCertification(request(decider(kind, status), { reason }))).toEqual({
				ok: false,
				reason: 'reason_required'
			});
	});

	it('checks impartiality before anything else about the request', () => {
		expect(
			decideCertification(
				request(
					{ ...decider('maintain', 'expired'), onTeam: true },
					{ reason: '', findings: [nc('major', 'open')] }
				)
			)
		).toEqual({ ok: false, reason: 'team_member' });
	});

	it('regrade needs a grade different from the current one', () => {
		const c = decider('regrade');
		for (const newGradeLevelId of [null, undefined, '', 'grade-5-star'])
			expect(decideCertification(request(c, { newGradeLevelId }))).toEqual({
				ok: false,
				reason: 'grade_required'
			});
		expect(decideCertification(request(c, { newGradeLevelId: 'grade-3-star' }))).toEqual({
			ok: true,
			status: 'active'
		});
		expect(
			decideCertification(
				request(c, { currentGradeLevelId: null, newGradeLevelId: 'grade-3-star' })
			)
		).toEqual({ ok: true, status: 'active' });
	});

	it('regrade still waits for the nonconformities before looking at the grade', () => {
		expect(
			decideCertification(
				request(
					{ ...decider('regrade'), situation: SITUATIONS.find((s) => s.name === 'major open')! },
					{ newGradeLevelId: null }
				)
			)
		).toEqual({ ok: false, reason: 'major_not_closed' });
	});

	it('reduce_scope needs the new scope', () => {
		for (const certificateStatus of ['active', 'suspended'] as const) {
			const c = decider('reduce_scope', certificateStatus);
			for (const newScope of [null, undefined, '', '  '])
				expect(decideCertification(request(c, { newScope }))).toEqual({
					ok: false,
					reason: 'scope_required'
				});
			expect(decideCertification(request(c, { newScope: '仅限安装服务' }))).toEqual({
				ok: true,
				status: certificateStatus
			});
		}
	});

	it('reduce_scope may remove scope items and keep the text', () => {
		for (const newScope of [null, '']) {
			expect(
				decideCertification(request(decider('reduce_scope'), { newScope, scopeItemsChanged: true }))
			).toEqual({ ok: true, status: 'active' });
		}
	});

	it('extend_scope needs at least one item to add', () => {
		expect(
			decideCertification(request(decider('extend_scope'), { scopeItemsChanged: false }))
		).toEqual({ ok: false, reason: 'scope_items_required' });
		expect(
			decideCertification(request(decider('extend_scope'), { scopeItemsChanged: undefined }))
		).toEqual({ ok: false, reason: 'scope_items_required' });
	});

	it('renew follows a recertification evaluation only', () => {
		for (const evaluationKind of ['surveillance', 'special', 'initial', null, undefined] as const)
			expect(decideCertification(request(decider('renew'), { evaluationKind }))).toEqual({
				ok: false,
				reason: 'recertification_required'
			});
	});

	it('renew is decided within the validity, or restores it within 6 months of the expiry', () => {
		for (const status of ['active', 'expired'] as const) {
			const on = (expiresOn: string, today: string) =>
				decideCertification(request(decider('renew', status), { validity: { expiresOn, today } }));
			expect(on('2028-02-29', '2028-02-28')).toEqual({ ok: true, status: 'active' });
			expect(on('2028-02-29', '2028-02-29')).toEqual({ ok: true, status: 'active' });
			// Past the expiry (the sweep may not have marked it yet): a restoration.
			expect(on('2028-02-29', '2028-03-01')).toEqual({ ok: true, status: 'active' });
			expect(on('2028-02-29', '2028-08-29')).toEqual({ ok: true, status: 'active' });
			expect(on('2028-02-29', '2028-08-30')).toEqual({
				ok: false,
				reason: 'restoration_period_passed'
			});
			// Six months from a month's end: the shorter month's end.
			expect(on('2029-08-31', '2030-02-28')).toEqual({ ok: true, status: 'active' });
			expect(on('2029-08-31', '2030-03-01')).toEqual({
				ok: false,
				reason: 'restoration_period_passed'
			});
			expect(on('2031-08-29', '2032-02-29')).toEqual({ ok: true, status: 'active' });
			expect(on('2031-08-29', '2032-03-01').ok).toBe(false);
		}
		expect(decideCertification(request(decider('renew'), { validity: undefined }))).toEqual({
			ok: false,
			reason: 'restoration_period_passed'
		});
	});

	it('a restoration still follows a recertification and waits for its nonconformities', () => {
		const late = { validity: { expiresOn: '2028-02-29', today: '2028-05-01' } };
		expect(
			decideCertification(
				request(decider('renew', 'expired'), { ...late, evaluationKind: 'surveillance' })
			)
		).toEqual({ ok: false, reason: 'recertification_required' });
		expect(
			decideCertification(
				request(
					{
						...decider('renew', 'expired'),
						situation: SITUATIONS.find((s) => s.name === 'major open')!
					},
					late
				)
			)
		).toEqual({ ok: false, reason: 'major_not_closed' });
		// Other decisions stay closed to an expired certificate.
		for (const kind of ['maintain', 'restore', 'extend_scope'] as const)
			expect(decideCertification(request(decider(kind, 'expired'), late))).toEqual({
				ok: false,
				reason: 'certificate_status'
			});
	});

	it('renew waits for the recertification nonconformities, like maintain', () => {
		for (const name of ['major open', 'minor open'])
			expect(
				decideCertification(
					request({ ...decider('renew'), situation: SITUATIONS.find((s) => s.name === name)! })
				).ok
			).toBe(false);
	});

	it('other kinds ignore grade and scope fields', () => {
		expect(
			decideCertification(request(decider('maintain'), { newGradeLevelId: null, newScope: null }))
		).toEqual({ ok: true, status: 'active' });
		expect(
			decideCertification(request(decider('suspend'), { newGradeLevelId: null, newScope: null }))
		).toEqual({ ok: true, status: 'suspended' });
	});
});

describe('who decides', () => {
	it('is the certificate.decide capability, impartiality included', () => {
		for (const role of ROLES)
			for (const onEvaluationTeam of [true, false]) {
				const verdict = decideCertification({
					kind: 'maintain',
					reason: 'Fine.',
					certificateStatus: 'active',
					actor: { role, onEvaluationTeam },
					findings: []
				});
				expect(verdict.ok, `${role}/${onEvaluationTeam}`).toBe(
					check({ role }, 'certificate.decide', { onEvaluationTeam }).ok
				);
			}
	});
});
