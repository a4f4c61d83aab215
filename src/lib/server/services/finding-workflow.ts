import type { AppDatabase, Tx } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import type { FindingStatus } from '../../../../db/schema';
import {
	decideTransition,
	type FindingAction,
	type TransitionDecision
} from '../domain/finding-lifecycle';
import { lifecycleSide } from '../domain/permissions';
import { todayInZone } from '../domain/calendar';
import { checkVerifyEffective } from '../domain/evidence-integrity';
import { badInput, notFound, Refusal, staleVersion } from '../errors';
import { auditAs } from './audit-entry';
import * as repo from '../repositories/responses';
import { authorize } from './authorize';
import {
	findingMessageToLead,
	findingMessageToOrganisation,
	type ToOrganisation
} from './event-messages';
import { findingSubject, loadVisibleFinding, type VisibleFinding } from './finding-access';
import type {
	FollowUpInput,
	RespondInput,
	ReviewEvidenceInput,
	ReviewResponseInput,
	SubmitEvidenceInput
} from './finding-workflow.schema';

/*
 * The nonconformity life cycle as use cases (SPEC §4): each one locks the finding, checks the
 * version the user saw, asks `decideTransition`, writes its rows and the audit entry in one
 * transaction.
 *
 * Refusal codes, the same on every step:
 * - FORBIDDEN: the actor's role does not act on this step (an evaluator answering, an
 *   organisation user accepting, a decision maker reviewing), or an evaluator is not on the
 *   evaluation's team (`finding.review`);
 * - NOT_FOUND: the finding is not visible to the actor (another tenant, another organisation, a
 *   report not issued yet for organisation users);
 * - CONFLICT: the finding is not in the status the step needs (or its report is not issued, or it
 *   is no nonconformity), with a message that says why; or the version is stale ("reload");
 * - BAD_REQUEST: an input is missing or invalid, with the field it concerns.
 *
 * Inputs are as their schemas in finding-workflow.schema.ts leave them (trimmed, dates real,
 * a rejection's comment given): the tRPC procedures and the finding page parse through them.
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
	// The body's steps are the evaluation team's (or an administrator's); the organisation's are
	// its own users'.
	const side = lifecycleSide(actor.role);
	if (side === 'body') authorize(actor, 'finding.review', findingSubject(finding));
	if (side === 'organisation')
		authorize(actor, 'finding.answer', { organisationId: finding.organisation_id });
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
	details: { before?: Record<string, unknown>; after?: Record<string, unknown> } = {},
	at?: Date
) {
	const moved = await repo.moveFinding(tx, finding.id, finding.version, {
		status: to,
		closed: to === 'closed'
	});
	if (!moved) throw staleVersion();
	await auditAs(tx, actor, `finding.${action}`, 'finding', finding.id, {
		before: { status: finding.status, ...details.before },
		after: { status: moved.status, ...details.after },
		at
	});
	return moved;
}

export interface StepResult {
	id: string;
	status: FindingStatus;
	version: number;
}

/** What one step adds to the status change: its audit details and the email it sends. */
interface StepWork {
	after: Record<string, unknown>;
	/** The lead evaluator hears of the organisation's steps; the organisation of the body's. */
	message:
		| { to: 'lead'; template: 'finding.response_submitted' | 'finding.evidence_submitted' }
		| { to: 'organisation'; event: ToOrganisation };
}

/**
 * Every life-cycle step in one transaction: lock and check (beginStep), the step's own rows
 * (`work`), the move with its audit entry (completeStep), then the email naming the new version.
 */
function runStep(
	db: AppDatabase,
	actor: Actor,
	input: { findingId: string; version: number },
	action: FindingAction,
	work: (tx: Tx, finding: VisibleFinding) => Promise<StepWork>,
	/** When the step is taken (the demo loads its past); unset, the database's clock. */
	now?: Date
): Promise<StepResult> {
	return db.inTenant(scopeOf(actor), async (tx) => {
		const { finding, to } = await beginStep(tx, actor, input.findingId, input.version, action);
		const { after, message } = await work(tx, finding);
		const moved = await completeStep(tx, actor, finding, to, action, { after }, now);
		const seen = { ...finding, version: moved.version };
		if (message.to === 'lead') await findingMessageToLead(tx, actor, seen, message.template);
		else await findingMessageToOrganisation(tx, actor, seen, message.event);
		return moved;
	});
}

/** What a review step of the body adds: the reviewer's comment; the organisation hears the verdict. */
const reviewed = (comment: string | null, event: ToOrganisation): StepWork => ({
	after: { comment },
	message: { to: 'organisation', event }
});

/** What the organisation's answer holds: as `respondInput` leaves it. */
export type ResponseInput = RespondInput;

/** The organisation answers a nonconformity: correction, root cause, corrective action, owner, date. */
export function submitResponse(
	db: AppDatabase,
	actor: Actor,
	input: ResponseInput,
	now?: Date
): Promise<StepResult> {
	const response = {
		correction: input.correction,
		rootCause: input.rootCause,
		correctiveAction: input.correctiveAction,
		owner: input.owner,
		targetOn: input.targetOn
	};
	return runStep(
		db,
		actor,
		input,
		'submit_response',
		async (tx, finding) => {
			if (response.targetOn < finding.raised_on)
				throw badInput('targetOn', 'findings_target_before_raised', {
					raisedOn: finding.raised_on
				});
			await repo.insertResponse(tx, {
				tenantId: actor.tenantId,
				findingId: finding.id,
				submittedBy: actor.userId,
				submittedAt: now,
				...response
			});
			return { after: response, message: { to: 'lead', template: 'finding.response_submitted' } };
		},
		now
	);
}

/** The body accepts the organisation's plan, or rejects it saying why (a comment is required). */
export function reviewResponse(
	db: AppDatabase,
	actor: Actor,
	input: ReviewResponseInput,
	now?: Date
): Promise<StepResult> {
	const comment = input.comment;
	const action = input.verdict === 'accept' ? 'accept_response' : 'reject_response';
	return runStep(
		db,
		actor,
		input,
		action,
		async (tx, finding) => {
			const pending = await repo.findPendingResponse(tx, finding.id);
			if (!pending) throw new Refusal('CONFLICT', 'findings_refused_no_pending_response');
			await repo.reviewResponse(tx, pending.id, {
				status: action === 'accept_response' ? 'accepted' : 'rejected',
				reviewerId: actor.userId,
				comment: comment || null,
				reviewedAt: now
			});
			return reviewed(
				comment || null,
				action === 'accept_response'
					? {
							template: 'finding.plan_accepted',
							params: { dueOn: finding.due_on ?? pending.target_on }
						}
					: { template: 'finding.plan_sent_back', params: { comment: comment ?? '' } }
			);
		},
		now
	);
}

/**
 * The organisation submits its evidence for review: every file uploaded since the last submission,
 * with an optional note; at least one of the two.
 */
export function submitEvidence(
	db: AppDatabase,
	actor: Actor,
	input: SubmitEvidenceInput,
	now?: Date
): Promise<StepResult> {
	const note = input.note;
	return runStep(
		db,
		actor,
		input,
		'submit_evidence',
		async (tx, finding) => {
			const pendingFiles = await repo.countPendingEvidence(tx, finding.id);
			if (pendingFiles === 0 && !note) throw badInput('note', 'findings_evidence_empty');
			const plan = await repo.findAcceptedResponse(tx, finding.id);
			const submission = await repo.insertEvidenceSubmission(tx, {
				tenantId: actor.tenantId,
				findingId: finding.id,
				responseId: plan?.id ?? null,
				note,
				submittedBy: actor.userId,
				submittedAt: now
			});
			const files = await repo.attachPendingEvidence(tx, finding.id, submission.id);
			return {
				after: { files, note: note || null },
				message: { to: 'lead', template: 'finding.evidence_submitted' }
			};
		},
		now
	);
}

/** The body verifies the evidence effective (closing the finding) or rejects it saying why. */
export function reviewEvidence(
	db: AppDatabase,
	actor: Actor,
	input: ReviewEvidenceInput
): Promise<StepResult> {
	const comment = input.comment;
	const action = input.verdict;
	return runStep(db, actor, input, action, async (tx, finding) => {
		const submission = await repo.findOpenSubmission(tx, finding.id);
		if (!submission) throw new Refusal('CONFLICT', 'findings_refused_no_open_submission');
		if (action === 'verify_effective') {
			const files = await repo.submissionFileIntegrity(tx, submission.id);
			const check = checkVerifyEffective(
				files.map((file) => ({ integrityStatus: file.integrity_status }))
			);
			if (!check.ok)
				throw new Refusal('CONFLICT', 'chase_refused_verify_integrity', {
					count: check.rejected
				});
		}
		await repo.recordVerdict(tx, submission.id, {
			verdict: action === 'verify_effective' ? 'effective' : 'not_effective',
			by: actor.userId,
			comment: comment || null
		});
		return reviewed(
			comment || null,
			action === 'verify_effective'
				? { template: 'finding.evidence_verified', params: {} }
				: { template: 'finding.evidence_rejected', params: { comment: comment ?? '' } }
		);
	});
}

/**
 * The body schedules a follow-up effectiveness check (SPEC §4: e.g. 90 days after closing), on a
 * nonconformity whose plan was accepted. The date lies after today in the tenant's zone.
 */
export function setFollowUpCheck(
	db: AppDatabase,
	actor: Actor,
	input: FollowUpInput,
	now = new Date()
): Promise<StepResult & { followUpCheckOn: string | null }> {
	const followUpOn = input.followUpOn;
	return db.inTenant(scopeOf(actor), async (tx) => {
		const finding = await loadVisibleFinding(tx, actor, input.findingId, { forUpdate: true });
		authorize(actor, 'finding.setFollowUp', findingSubject(finding));
		if (finding.version !== input.version) throw staleVersion();
		const today = todayInZone(now, actor.tenant.timeZone);
		if (followUpOn <= today)
			throw badInput('followUpOn', 'findings_follow_up_in_future', { today });
		const updated = await repo.setFollowUpCheck(tx, finding.id, finding.version, followUpOn);
		if (!updated) throw staleVersion();
		await auditAs(tx, actor, 'finding.follow_up_set', 'finding', finding.id, {
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
