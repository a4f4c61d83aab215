import type {
	CertificateStatus,
	DecisionKind,
	EvaluationKind,
	FindingKind,
	FindingStatus,
	NonconformityGrade,
	Role
} from '../../../../db/schema';
import { check, mayEver } from './permissions';
import { restorationLimit } from './scheme-rules';

/*
 * Certification decisions (SPEC §3, ISO/IEC 17021-1 9.5 and 17065 7.8): which decision may be
 * taken on a certificate in which status, what status it leads to, and what must hold first.
 * Who may decide is the `certificate.decide` capability (permissions.ts), impartiality included.
 */

/** `null`: no certificate yet, which only a grant starts from (issue 12 item 1). */
const ALLOWED_FROM: Record<DecisionKind, readonly (CertificateStatus | null)[]> = {
	grant: [null],
	maintain: ['active'],
	regrade: ['active'],
	reduce_scope: ['active', 'suspended'],
	suspend: ['active'],
	withdraw: ['active', 'suspended'],
	restore: ['suspended'],
	// A suspended certificate is restored (or withdrawn) first. An expired one may be restored by
	// a recertification within RESTORATION_MONTHS of its expiry (ISO/IEC 17021-1 9.6.3.2.5).
	renew: ['active', 'expired'],
	extend_scope: ['active']
};

const RESULT: Record<DecisionKind, CertificateStatus | null> = {
	grant: 'active',
	maintain: null,
	regrade: null,
	reduce_scope: null,
	suspend: 'suspended',
	withdraw: 'withdrawn',
	restore: 'active',
	renew: 'active',
	extend_scope: null
};

export type DecisionRefusal =
	| 'wrong_role'
	| 'team_member'
	| 'certificate_status'
	| 'major_not_closed'
	| 'minor_without_accepted_plan'
	| 'grade_required'
	| 'scope_required'
	| 'reason_required'
	/** Renewal follows a recertification evaluation only. */
	| 'recertification_required'
	/**
	 * Renewal is decided within the validity it extends, or restores the certification within
	 * RESTORATION_MONTHS of its expiry: later, only a new initial certification.
	 */
	| 'restoration_period_passed'
	/** An extension adds at least one site, service outlet or product line. */
	| 'scope_items_required';

export interface DecisionRequest {
	kind: DecisionKind;
	reason: string;
	/** null before the certificate exists (a grant). */
	certificateStatus: CertificateStatus | null;
	actor: { role: Role; userId?: string; onEvaluationTeam: boolean };
	/** The findings of the evaluation the decision follows (none for a decision without one). */
	findings: { kind: FindingKind; grade: NonconformityGrade | null; status: FindingStatus }[];
	newGradeLevelId?: string | null;
	currentGradeLevelId?: string | null;
	newScope?: string | null;
	/** The kind of the evaluation the decision follows (renewal: a recertification). */
	evaluationKind?: EvaluationKind | null;
	/** Extend or reduce scope: whether the decision changes the structured scope items. */
	scopeItemsChanged?: boolean;
	/** Renewal: the certificate's last valid day and today, in the body's zone. */
	validity?: { expiresOn: string; today: string };
}

export type DecisionVerdict =
	{ ok: true; status: CertificateStatus } | { ok: false; reason: DecisionRefusal };

/** A minor nonconformity has an accepted plan once its response was accepted (or beyond). */
export const PLAN_ACCEPTED: readonly FindingStatus[] = [
	'action_in_progress',
	'evidence_submitted',
	'closed'
];

export function decideCertification(request: DecisionRequest): DecisionVerdict {
	const { actor } = request;
	if (!mayEver(actor, 'certificate.decide')) return { ok: false, reason: 'wrong_role' };
	// Impartiality: nobody decides on an evaluation they took part in.
	if (!check(actor, 'certificate.decide', { onEvaluationTeam: actor.onEvaluationTeam }).ok)
		return { ok: false, reason: 'team_member' };
	if (!request.reason.trim()) return { ok: false, reason: 'reason_required' };
	if (!ALLOWED_FROM[request.kind].includes(request.certificateStatus))
		return { ok: false, reason: 'certificate_status' };

	// Suspension and withdrawal answer nonconformities; they cannot wait for them to close.
	const answersNonconformity = request.kind === 'suspend' || request.kind === 'withdraw';
	if (!answersNonconformity) {
		const nonconformities = request.findings.filter((f) => f.kind === 'nonconformity');
		if (nonconformities.some((f) => f.grade === 'major' && f.status !== 'closed'))
			return { ok: false, reason: 'major_not_closed' };
		if (nonconformities.some((f) => f.grade === 'minor' && !PLAN_ACCEPTED.includes(f.status)))
			return { ok: false, reason: 'minor_without_accepted_plan' };
	}
	if (
		request.kind === 'regrade' &&
		(!request.newGradeLevelId || request.newGradeLevelId === request.currentGradeLevelId)
	)
		return { ok: false, reason: 'grade_required' };
	if (request.kind === 'reduce_scope' && !request.newScope?.trim() && !request.scopeItemsChanged)
		return { ok: false, reason: 'scope_required' };
	if (request.kind === 'extend_scope' && !request.scopeItemsChanged)
		return { ok: false, reason: 'scope_items_required' };
	if (request.kind === 'renew') {
		// ISO/IEC 17021-1 9.6.3: the recertification audit's outcome renews the certification.
		if (request.evaluationKind !== 'recertification')
			return { ok: false, reason: 'recertification_required' };
		if (!request.validity || request.validity.today > restorationLimit(request.validity.expiresOn))
			return { ok: false, reason: 'restoration_period_passed' };
	}

	const status = RESULT[request.kind] ?? request.certificateStatus;
	return status ? { ok: true, status } : { ok: false, reason: 'certificate_status' };
}
