import type { AppDatabase, Tx } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import type { FindingStatus } from '../../../../db/schema';
import {
	decideTransition,
	type FindingAction,
	type TransitionDecision
} from '../domain/finding-lifecycle';
import { isIsoDate, todayInZone } from '../domain/calendar';
import { badInput, notFound, Refusal, staleVersion } from '../errors';
import { recordAudit } from '../repositories/audit';
import * as repo from '../repositories/responses';
import { loadVisibleFinding, type VisibleFinding } from './finding-access';

/*
 * The nonconformity life cycle as use cases (SPEC §4): each one locks the finding, checks the
 * version the user saw, asks `decideTransition`, writes its rows and the audit entry in one
 * transaction.
 *
 * Refusal codes, the same on every step:
 * - FORBIDDEN: the actor's role does not act on this step (an evaluator answering, an
 *   organisation user accepting, a decision maker reviewing);
 * - NOT_FOUND: the finding is not visible to the actor (another tenant, another organisation, a
 *   report not issued yet for organisation users);
 * - CONFLICT: the finding is not in the status the step needs (or its report is not issued, or it
 *   is no nonconformity), with a message that says why; or the version is stale ("reload");
 * - BAD_REQUEST: an input is missing or invalid, with the field it concerns.
 */

type Refused = Extract<TransitionDecision, { ok: false }>;

function refusalFor(action: FindingAction, decision: Refused, status: FindingStatus): Refusal {
	switch (decision.reason) {
		case 'other_organisation':
			return notFound();
		case 'wrong_role':
			return new Refusal('FORBIDDEN', `findings_refused_role_${action}`);
		case 'report_not_issued':
			return new Refusal('CONFLICT', 'findings_refused_report_not_issued');
		case 'not_a_nonconformity':
			return new Refusal('CONFLICT', 'findings_refused_not_a_nonconformity');
		case 'wrong_status':
			// One message per status the step needs; it names the status the finding is in.
			return new Refusal('CONFLICT', `findings_refused_status_${decision.expected}`, { status });
	}
}

/**
 * Locks the finding and checks that `actor` may take `action` on the version they saw. Who may
 * act is refused before staleness (a reload would not help); the status after it, because a
 * stale page is why a status usually looks wrong.
 */
async function beginStep(
	tx: Tx,
	actor: Actor,
	findingId: string,
	version: number,
	action: FindingAction
) {
	const finding = await loadVisibleFinding(tx, actor, findingId, { forUpdate: true });
	const decision = decideTransition({
		finding: {
			kind: finding.kind,
			status: finding.status,
			organisationId: finding.organisation_id,
			reportIssued: finding.reportIssued
		},
		action,
		actor: { role: actor.role, organisationId: actor.organisationId }
	});
	if (!decision.ok && decision.reason !== 'wrong_status')
		throw refusalFor(action, decision, finding.status);
	if (finding.version !== version) throw staleVersion();
	if (!decision.ok) throw refusalFor(action, decision, finding.status);
	return { finding, to: decision.to };
}

/** Moves the finding and writes `finding.<action>` with the status before and after. */
async function completeStep(
	tx: Tx,
	actor: Actor,
	finding: VisibleFinding,
	to: FindingStatus,
	action: FindingAction,
	details: { before?: Record<string, unknown>; after?: Record<string, unknown> } = {}
) {
	const moved = await repo.moveFinding(tx, finding.id, finding.version, {
		status: to,
		closed: to === 'closed'
	});
	if (!moved) throw staleVersion();
	await recordAudit(tx, {
		tenantId: actor.tenantId,
		actorUserId: actor.userId,
		action: `finding.${action}`,
		entityType: 'finding',
		entityId: finding.id,
		before: { status: finding.status, ...details.before },
		after: { status: moved.status, ...details.after }
	});
	return moved;
}

function requireText(field: string, value: string): string {
	const text = value.trim();
	if (!text) throw badInput(field, 'error_required');
	return text;
}

function requireDate(field: string, value: string): string {
	const date = value.trim();
	if (!date) throw badInput(field, 'error_required');
	if (!isIsoDate(date)) throw badInput(field, 'findings_date_invalid');
	return date;
}

export interface StepResult {
	id: string;
	status: FindingStatus;
	version: number;
}

export interface ResponseInput {
	findingId: string;
	version: number;
	correction: string;
	rootCause: string;
	correctiveAction: string;
	owner: string;
	/** 'YYYY-MM-DD': when the corrective action will be complete. */
	targetOn: string;
}

/** The organisation answers a nonconformity: correction, root cause, corrective action, owner, date. */
export function submitResponse(
	db: AppDatabase,
	actor: Actor,
	input: ResponseInput
): Promise<StepResult> {
	const response = {
		correction: requireText('correction', input.correction),
		rootCause: requireText('rootCause', input.rootCause),
		correctiveAction: requireText('correctiveAction', input.correctiveAction),
		owner: requireText('owner', input.owner),
		targetOn: requireDate('targetOn', input.targetOn)
	};
	return db.inTenant(scopeOf(actor), async (tx) => {
		const { finding, to } = await beginStep(
			tx,
			actor,
			input.findingId,
			input.version,
			'submit_response'
		);
		if (response.targetOn < finding.raised_on)
			throw badInput('targetOn', 'findings_target_before_raised', { raisedOn: finding.raised_on });
		await repo.insertResponse(tx, {
			tenantId: actor.tenantId,
			findingId: finding.id,
			submittedBy: actor.userId,
			...response
		});
		return completeStep(tx, actor, finding, to, 'submit_response', { after: response });
	});
}

export interface ReviewInput {
	findingId: string;
	version: number;
	comment: string;
}

/** The body accepts the organisation's plan, or rejects it saying why (a comment is required). */
export function reviewResponse(
	db: AppDatabase,
	actor: Actor,
	input: ReviewInput & { verdict: 'accept' | 'reject' }
): Promise<StepResult> {
	const comment = input.comment.trim();
	const action = input.verdict === 'accept' ? 'accept_response' : 'reject_response';
	return db.inTenant(scopeOf(actor), async (tx) => {
		const { finding, to } = await beginStep(tx, actor, input.findingId, input.version, action);
		if (action === 'reject_response' && !comment)
			throw badInput('comment', 'findings_reject_comment_required');
		const pending = await repo.findPendingResponse(tx, finding.id);
		if (!pending) throw new Refusal('CONFLICT', 'findings_refused_no_pending_response');
		await repo.reviewResponse(tx, pending.id, {
			status: action === 'accept_response' ? 'accepted' : 'rejected',
			reviewerId: actor.userId,
			comment: comment || null
		});
		return completeStep(tx, actor, finding, to, action, {
			after: { comment: comment || null }
		});
	});
}

/**
 * The organisation submits its evidence for review: every file uploaded since the last submission,
 * with an optional note; at least one of the two.
 */
export function submitEvidence(
	db: AppDatabase,
	actor: Actor,
	input: { findingId: string; version: number; note: string }
): Promise<StepResult> {
	const note = input.note.trim();
	return db.inTenant(scopeOf(actor), async (tx) => {
		const { finding, to } = await beginStep(
			tx,
			actor,
			input.findingId,
			input.version,
			'submit_evidence'
		);
		const pendingFiles = await repo.countPendingEvidence(tx, finding.id);
		if (pendingFiles === 0 && !note) throw badInput('note', 'findings_evidence_empty');
		const plan = await repo.findAcceptedResponse(tx, finding.id);
		const submission = await repo.insertEvidenceSubmission(tx, {
			tenantId: actor.tenantId,
			findingId: finding.id,
			responseId: plan?.id ?? null,
			note,
			submittedBy: actor.userId
		});
		const files = await repo.attachPendingEvidence(tx, finding.id, submission.id);
		return completeStep(tx, actor, finding, to, 'submit_evidence', {
			after: { files, note: note || null }
		});
	});
}

/** The body verifies the evidence effective (closing the finding) or rejects it saying why. */
export function reviewEvidence(
	db: AppDatabase,
	actor: Actor,
	input: ReviewInput & { verdict: 'verify_effective' | 'reject_evidence' }
): Promise<StepResult> {
	const comment = input.comment.trim();
	const action = input.verdict;
	return db.inTenant(scopeOf(actor), async (tx) => {
		const { finding, to } = await beginStep(tx, actor, input.findingId, input.version, action);
		if (action === 'reject_evidence' && !comment)
			throw badInput('comment', 'findings_reject_evidence_comment_required');
		const submission = await repo.findOpenSubmission(tx, finding.id);
		if (!submission) throw new Refusal('CONFLICT', 'findings_refused_no_open_submission');
		await repo.recordVerdict(tx, submission.id, {
			verdict: action === 'verify_effective' ? 'effective' : 'not_effective',
			by: actor.userId,
			comment: comment || null
		});
		return completeStep(tx, actor, finding, to, action, { after: { comment: comment || null } });
	});
}

/** Statuses in which a follow-up effectiveness check makes sense: the plan is accepted. */
const FOLLOW_UP_STATUSES: readonly FindingStatus[] = [
	'action_in_progress',
	'evidence_submitted',
	'closed'
];

/** Whether `actor` may schedule a follow-up effectiveness check on `finding` now. */
export function maySetFollowUp(
	actor: Pick<Actor, 'role'>,
	finding: { kind: string; status: FindingStatus }
): boolean {
	return (
		(actor.role === 'admin' || actor.role === 'evaluator') &&
		finding.kind === 'nonconformity' &&
		FOLLOW_UP_STATUSES.includes(finding.status)
	);
}

/**
 * The body schedules a follow-up effectiveness check (SPEC §4: e.g. 90 days after closing), on a
 * nonconformity whose plan was accepted. The date lies after today in the tenant's zone.
 */
export function setFollowUpCheck(
	db: AppDatabase,
	actor: Actor,
	input: { findingId: string; version: number; followUpOn: string },
	now = new Date()
): Promise<StepResult & { followUpCheckOn: string | null }> {
	const followUpOn = requireDate('followUpOn', input.followUpOn);
	return db.inTenant(scopeOf(actor), async (tx) => {
		const finding = await loadVisibleFinding(tx, actor, input.findingId, { forUpdate: true });
		if (actor.role !== 'admin' && actor.role !== 'evaluator')
			throw new Refusal('FORBIDDEN', 'findings_refused_role_follow_up');
		if (finding.version !== input.version) throw staleVersion();
		if (finding.kind !== 'nonconformity')
			throw new Refusal('CONFLICT', 'findings_refused_not_a_nonconformity');
		if (!FOLLOW_UP_STATUSES.includes(finding.status))
			throw new Refusal('CONFLICT', 'findings_refused_follow_up_status');
		const today = todayInZone(now, actor.tenant.timeZone);
		if (followUpOn <= today)
			throw badInput('followUpOn', 'findings_follow_up_in_future', { today });
		const updated = await repo.setFollowUpCheck(tx, finding.id, finding.version, followUpOn);
		if (!updated) throw staleVersion();
		await recordAudit(tx, {
			tenantId: actor.tenantId,
			actorUserId: actor.userId,
			action: 'finding.follow_up_set',
			entityType: 'finding',
			entityId: finding.id,
			before: { followUpCheckOn: finding.follow_up_check_on },
			after: { followUpCheckOn: updated.follow_up_check_on }
		});
		return {
			id: updated.id,
			status: updated.status,
			version: updated.version,
			followUpCheckOn: updated.follow_up_check_on
		};
	});
}
