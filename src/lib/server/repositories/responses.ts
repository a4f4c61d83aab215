import { sql, type ExpressionBuilder, type SelectQueryBuilder } from 'kysely';
import type { Tx } from '../db/tenant-scope';
import { updateAtVersion } from './versioned';
import { tenantJoin, tenantJoinAs } from './tenant-join';
import type { Database, FindingStatus } from '../../../../db/schema';
import { findingsWithEvaluation, findingsWithOrganisation, personName } from './joins';
import { countOf } from './query';

/*
 * Rows of the corrective-action workflow (SPEC §4): the organisation's responses, its evidence
 * submissions with their files, and the finding's status they move.
 */

/** Moves a finding to `status`; undefined when its version moved on meanwhile. */
export function moveFinding(
	tx: Tx,
	findingId: string,
	version: number,
	change: { status: FindingStatus; closed: boolean }
) {
	return updateAtVersion(tx, 'findings', findingId, version, {
		status: change.status,
		closed_at: change.closed ? sql<Date>`now()` : null
	});
}

export function setFollowUpCheck(tx: Tx, findingId: string, version: number, on: string) {
	return updateAtVersion(tx, 'findings', findingId, version, { follow_up_check_on: on });
}

export interface NewResponse {
	tenantId: string;
	findingId: string;
	correction: string;
	rootCause: string;
	correctiveAction: string;
	owner: string;
	targetOn: string;
	submittedBy: string;
	/** When it is submitted, if not now (the demo's past). */
	submittedAt?: Date;
}

export function insertResponse(tx: Tx, response: NewResponse) {
	return tx
		.insertInto('responses')
		.values({
			tenant_id: response.tenantId,
			finding_id: response.findingId,
			correction: response.correction,
			root_cause: response.rootCause,
			corrective_action: response.correctiveAction,
			action_owner: response.owner,
			target_on: response.targetOn,
			submitted_by: response.submittedBy,
			submitted_at: response.submittedAt
		})
		.returningAll()
		.executeTakeFirstOrThrow();
}

/** A finding's responses, newest first (of two submitted at once, the later id). */
function responsesNewestFirst(tx: Tx, findingId: string) {
	return tx
		.selectFrom('responses')
		.where('responses.finding_id', '=', findingId)
		.orderBy('responses.submitted_at', 'desc')
		.orderBy('responses.id', 'desc');
}

/** The newest response of the finding in `status`, if any. */
function findLatestResponse(tx: Tx, findingId: string, status: 'pending' | 'accepted') {
	return responsesNewestFirst(tx, findingId)
		.selectAll()
		.where('responses.review_status', '=', status)
		.executeTakeFirst();
}

/** The response awaiting the body's review, if any (the newest when, oddly, several wait). */
export const findPendingResponse = (tx: Tx, findingId: string) =>
	findLatestResponse(tx, findingId, 'pending');

/** The plan the evidence answers: the newest accepted response. */
export const findAcceptedResponse = (tx: Tx, findingId: string) =>
	findLatestResponse(tx, findingId, 'accepted');

export function reviewResponse(
	tx: Tx,
	responseId: string,
	review: {
		status: 'accepted' | 'rejected';
		reviewerId: string;
		comment: string | null;
		reviewedAt?: Date;
	}
) {
	return tx
		.updateTable('responses')
		.set({
			review_status: review.status,
			reviewed_by: review.reviewerId,
			reviewed_at: review.reviewedAt ?? sql<Date>`now()`,
			review_comment: review.comment
		})
		.where('id', '=', responseId)
		.returningAll()
		.executeTakeFirstOrThrow();
}

/** Every response to a finding, newest first, with who submitted and who reviewed it. */
export function listResponses(tx: Tx, findingId: string) {
	return responsesNewestFirst(tx, findingId)
		.select((eb) => [
			'responses.id',
			'responses.correction',
			'responses.root_cause',
			'responses.corrective_action',
			'responses.action_owner',
			'responses.target_on',
			'responses.submitted_at',
			'responses.review_status',
			'responses.reviewed_at',
			'responses.review_comment',
			personName(eb, 'responses.submitted_by').as('submitted_by_name'),
			personName(eb, 'responses.reviewed_by').as('reviewed_by_name')
		])
		.execute();
}

export function insertEvidenceSubmission(
	tx: Tx,
	submission: {
		tenantId: string;
		findingId: string;
		responseId: string | null;
		note: string;
		submittedBy: string;
		submittedAt?: Date;
	}
) {
	return tx
		.insertInto('evidence_submissions')
		.values({
			tenant_id: submission.tenantId,
			finding_id: submission.findingId,
			response_id: submission.responseId,
			note: submission.note,
			submitted_by: submission.submittedBy,
			submitted_at: submission.submittedAt
		})
		.returningAll()
		.executeTakeFirstOrThrow();
}

/**
 * Files uploaded against a finding and not yet part of a submission (refused files excluded, and
 * files a newer version replaced: issue 12 item 9 — an earlier version is not current evidence).
 */
const pendingEvidenceOf = (findingId: string) => (eb: ExpressionBuilder<Database, 'evidence'>) =>
	eb.and([
		eb('evidence.finding_id', '=', findingId),
		eb('evidence.submission_id', 'is', null),
		eb('evidence.removed_at', 'is', null),
		eb('evidence.integrity_status', '<>', 'rejected'),
		eb.not(
			eb.exists(
				eb
					.selectFrom('evidence as successor')
					.select('successor.id')
					.whereRef('successor.tenant_id', '=', 'evidence.tenant_id')
					.whereRef('successor.supersedes_id', '=', 'evidence.id')
					.where('successor.removed_at', 'is', null)
			)
		)
	]);

/** Puts every pending file of the finding into the submission; returns how many. */
export async function attachPendingEvidence(tx: Tx, findingId: string, submissionId: string) {
	const rows = await tx
		.updateTable('evidence')
		.set({ submission_id: submissionId })
		.where(pendingEvidenceOf(findingId))
		.returning('id')
		.execute();
	return rows.length;
}

export function countPendingEvidence(tx: Tx, findingId: string) {
	return countOf(tx.selectFrom('evidence').where(pendingEvidenceOf(findingId)));
}

/** A finding's evidence submissions, newest first (of two submitted at once, the later id). */
function submissionsNewestFirst(tx: Tx, findingId: string) {
	return tx
		.selectFrom('evidence_submissions')
		.where('evidence_submissions.finding_id', '=', findingId)
		.orderBy('evidence_submissions.submitted_at', 'desc')
		.orderBy('evidence_submissions.id', 'desc');
}

/** The submission awaiting the body's verdict, if any. */
export function findOpenSubmission(tx: Tx, findingId: string) {
	return submissionsNewestFirst(tx, findingId)
		.selectAll()
		.where('evidence_submissions.verdict', 'is', null)
		.executeTakeFirst();
}

export function recordVerdict(
	tx: Tx,
	submissionId: string,
	verdict: { verdict: 'effective' | 'not_effective'; by: string; comment: string | null }
) {
	return tx
		.updateTable('evidence_submissions')
		.set({
			verdict: verdict.verdict,
			verdict_by: verdict.by,
			verdict_at: sql<Date>`now()`,
			verdict_comment: verdict.comment
		})
		.where('id', '=', submissionId)
		.returningAll()
		.executeTakeFirstOrThrow();
}

/** Every evidence submission of a finding, newest first, with who submitted and who judged. */
export function listSubmissions(tx: Tx, findingId: string) {
	return submissionsNewestFirst(tx, findingId)
		.select((eb) => [
			'evidence_submissions.id',
			'evidence_submissions.note',
			'evidence_submissions.submitted_at',
			'evidence_submissions.verdict',
			'evidence_submissions.verdict_at',
			'evidence_submissions.verdict_comment',
			personName(eb, 'evidence_submissions.submitted_by').as('submitted_by_name'),
			personName(eb, 'evidence_submissions.verdict_by').as('verdict_by_name')
		])
		.execute();
}

/** The finding's evidence files, oldest first; `submission_id` null means not yet submitted. */
/**
 * Every file of a finding with what the verification job found: files it rejected too (the page
 * shows them loudly rather than dropping them), and the earlier evidence of the tenant with the
 * same content.
 */
export function listEvidenceFiles(tx: Tx, findingId: string) {
	return tx
		.selectFrom('evidence')
		.leftJoin('evidence as original', tenantJoinAs('original', 'evidence.duplicate_of_id'))
		.leftJoin(
			'findings as original_finding',
			tenantJoinAs('original_finding', 'original.finding_id')
		)
		.select((eb) => [
			'evidence.id',
			'evidence.submission_id',
			'evidence.supersedes_id',
			'evidence.original_name',
			'evidence.size_bytes',
			'evidence.detected_type',
			'evidence.uploaded_at',
			'evidence.effective_from',
			'evidence.integrity_status',
			'evidence.integrity_detail',
			'evidence.uploaded_by',
			'evidence.review_verdict',
			'evidence.review_note',
			'evidence.reviewed_at',
			personName(eb, 'evidence.uploaded_by').as('uploaded_by_name'),
			personName(eb, 'evidence.reviewed_by').as('reviewed_by_name'),
			'original_finding.id as duplicate_finding_id',
			'original_finding.reference as duplicate_finding_reference',
			'original.original_name as duplicate_name'
		])
		.where('evidence.finding_id', '=', findingId)
		.where('evidence.removed_at', 'is', null)
		.orderBy('evidence.uploaded_at')
		.orderBy('evidence.id')
		.execute();
}

/** The integrity of each file of an evidence submission: what "verify effective" depends on. */
export function submissionFileIntegrity(tx: Tx, submissionId: string) {
	return tx
		.selectFrom('evidence')
		.select(['evidence.id', 'evidence.integrity_status'])
		.where('evidence.submission_id', '=', submissionId)
		.execute();
}

/** The newest response and the newest evidence submission of each of `findingIds`. */
export async function latestReviews(tx: Tx, findingIds: string[]) {
	if (findingIds.length === 0) return { responses: [], submissions: [] };
	const [responses, submissions] = await Promise.all([
		tx
			.selectFrom('responses')
			.select(['finding_id', 'review_status', 'review_comment', 'reviewed_at'])
			.distinctOn('finding_id')
			.where('finding_id', 'in', findingIds)
			.orderBy('finding_id')
			.orderBy('submitted_at', 'desc')
			.orderBy('id', 'desc')
			.execute(),
		tx
			.selectFrom('evidence_submissions')
			.select(['finding_id', 'verdict', 'verdict_comment', 'verdict_at'])
			.distinctOn('finding_id')
			.where('finding_id', 'in', findingIds)
			.orderBy('finding_id')
			.orderBy('submitted_at', 'desc')
			.orderBy('id', 'desc')
			.execute()
	]);
	return { responses, submissions };
}

/** Adds the evaluation's standard and certificate and the finding's clause to a finding query. */
function withStandardAndClause<TB extends 'findings' | 'evaluations' | 'organisations'>(
	query: SelectQueryBuilder<Database, TB | 'findings' | 'evaluations', object>
) {
	return query
		.innerJoin('standards', tenantJoin('standards', 'evaluations.standard_id'))
		.leftJoin('certificates', tenantJoin('certificates', 'evaluations.certificate_id'))
		.leftJoin('clauses', tenantJoin('clauses', 'findings.clause_id'));
}

/** What a finding page names around the finding: evaluation, organisation, certificate, standard, clause. */
export function findFindingContext(tx: Tx, findingId: string) {
	return withStandardAndClause(findingsWithOrganisation(tx))
		.select((eb) => [
			'evaluations.kind as evaluation_kind',
			'evaluations.window_start',
			'evaluations.window_end',
			'organisations.legal_name as organisation_name',
			'standards.code as standard_code',
			'standards.title_zh as standard_title_zh',
			'standards.title_en as standard_title_en',
			'certificates.number as certificate_number',
			'clauses.number as clause_number',
			'clauses.title_zh as clause_title_zh',
			'clauses.title_en as clause_title_en',
			personName(eb, 'findings.raised_by').as('raised_by_name')
		])
		.where('findings.id', '=', findingId)
		.executeTakeFirstOrThrow();
}

/**
 * An organisation's nonconformities of issued reports (SPEC §6 "my actions"): the open ones by
 * due date, then the recently closed ones.
 */
export function listOrganisationNonconformities(
	tx: Tx,
	organisationId: string,
	options: { statuses: FindingStatus[]; order: 'due' | 'recently_closed'; limit?: number }
) {
	let query = withStandardAndClause(findingsWithEvaluation(tx))
		.select([
			'findings.id',
			'findings.reference',
			'findings.grade',
			'findings.status',
			'findings.statement',
			'findings.raised_on',
			'findings.due_on',
			'findings.closed_at',
			'evaluations.kind as evaluation_kind',
			'evaluations.window_start as evaluation_window_start',
			'standards.code as standard_code',
			'certificates.number as certificate_number',
			'clauses.number as clause_number'
		])
		.where('evaluations.organisation_id', '=', organisationId)
		.where('evaluations.status', 'in', ['report_issued', 'closed'])
		.where('findings.kind', '=', 'nonconformity')
		.where('findings.status', 'in', options.statuses);
	query =
		options.order === 'due'
			? query.orderBy('findings.due_on').orderBy('findings.reference')
			: query.orderBy('findings.closed_at', (o) => o.desc().nullsLast()).orderBy('findings.id');
	if (options.limit) query = query.limit(options.limit);
	return query.execute();
}
