import type { AppDatabase } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import { availableActions, isOverdue, sideToAct } from '../domain/finding-lifecycle';
import { can, lifecycleSide } from '../domain/permissions';
import { daysBetween, todayInZone } from '../domain/calendar';
import * as repo from '../repositories/responses';
import { findingSubject, loadVisibleFinding } from './finding-access';
import { timelineOf } from './timeline';
import { checkVerifyEffective, type IntegrityStatus } from '../domain/evidence-integrity';
import { evidenceUploadRefusal, isPreviewable } from './evidence';
import { findingServiceSubjects } from './service-system';

export interface EvidenceFile {
	id: string;
	originalName: string;
	sizeBytes: number;
	detectedType: string;
	uploadedAt: Date;
	effectiveFrom: string;
	uploadedByName: string;
	integrityStatus: IntegrityStatus;
	/** What the verification job found wrong (a chase_integrity_* key's suffix), if anything. */
	integrityProblem: string | null;
	/** The earlier evidence of the tenant with the same bytes: shown to the body's reviewers. */
	duplicateOf: { findingId: string; reference: string; name: string } | null;
	/** Whether the page shows it inline (an image, a PDF: services/evidence.ts PREVIEW_TYPES). */
	previewable: boolean;
	/** The newer file that replaced this one (issue 12 item 9): it is an earlier version. */
	supersededById: string | null;
	/** The versions this file replaced, newest first: each still opens. */
	earlierVersions: EvidenceVersion[];
	/** Whether the organisation may upload a new version of it now. */
	mayReplace: boolean;
	/** The reviewer's verdict on this file, shown to both sides. */
	review: {
		verdict: 'accepted' | 'rejected';
		note: string | null;
		byName: string | null;
		at: Date | null;
	} | null;
}

/** An earlier version of an evidence file, as the reviewer sees it in the file's history. */
export interface EvidenceVersion {
	id: string;
	originalName: string;
	sizeBytes: number;
	uploadedAt: Date;
	uploadedByName: string;
}

/**
 * Everything the finding page shows, for either side: the finding and what it belongs to, whether
 * it is overdue, who acts next and what `actor` may do now, the responses and evidence
 * submissions (newest first) and the audit timeline. Invisible findings are "not found".
 */
export function getFindingDetail(db: AppDatabase, actor: Actor, id: string, now = new Date()) {
	return db.inTenant(scopeOf(actor), async (tx) => {
		const finding = await loadVisibleFinding(tx, actor, id);
		const [context, responses, submissions, files, timeline, serviceSubjects] = await Promise.all([
			repo.findFindingContext(tx, id),
			repo.listResponses(tx, id),
			repo.listSubmissions(tx, id),
			repo.listEvidenceFiles(tx, id),
			timelineOf(tx, 'finding', id),
			findingServiceSubjects(tx, finding)
		]);
		const today = todayInZone(now, actor.tenant.timeZone);
		const subject = findingSubject(finding);
		// The body's steps are offered to the evaluation team (and administrators) only: the same
		// capabilities the services enforce.
		const mayReview = lifecycleSide(actor.role) !== 'body' || can(actor, 'finding.review', subject);
		// Versions (issue 12 item 9): each file points at the one it replaced; the current version
		// is the one no live file replaced. Removed files are not in `files`, so a successor taken
		// back leaves its predecessor current again.
		const byId = new Map(files.map((file) => [file.id, file]));
		const successorOf = new Map<string, string>();
		for (const file of files) if (file.supersedes_id) successorOf.set(file.supersedes_id, file.id);
		const earlierVersionsOf = (file: (typeof files)[number]): EvidenceVersion[] => {
			const versions: EvidenceVersion[] = [];
			const seen = new Set([file.id]);
			for (
				let earlier = file.supersedes_id ? byId.get(file.supersedes_id) : undefined;
				earlier && !seen.has(earlier.id);
				earlier = earlier.supersedes_id ? byId.get(earlier.supersedes_id) : undefined
			) {
				seen.add(earlier.id);
				versions.push({
					id: earlier.id,
					originalName: earlier.original_name,
					sizeBytes: Number(earlier.size_bytes),
					uploadedAt: earlier.uploaded_at,
					uploadedByName: earlier.uploaded_by_name
				});
			}
			return versions;
		};
		const mayUpload = evidenceUploadRefusal(actor, finding) === null;
		const asFile = (file: (typeof files)[number]): EvidenceFile => ({
			id: file.id,
			originalName: file.original_name,
			sizeBytes: Number(file.size_bytes),
			detectedType: file.detected_type,
			uploadedAt: file.uploaded_at,
			effectiveFrom: file.effective_from,
			uploadedByName: file.uploaded_by_name,
			integrityStatus: file.integrity_status,
			integrityProblem:
				file.integrity_status === 'rejected' ? (file.integrity_detail ?? 'missing') : null,
			// Another organisation's finding may hold the original: its reference is the body's to see.
			duplicateOf:
				lifecycleSide(actor.role) === 'body' &&
				file.duplicate_finding_id &&
				file.duplicate_finding_reference
					? {
							findingId: file.duplicate_finding_id,
							reference: file.duplicate_finding_reference,
							name: file.duplicate_name ?? ''
						}
					: null,
			previewable: isPreviewable(file.detected_type),
			supersededById: successorOf.get(file.id) ?? null,
			earlierVersions: earlierVersionsOf(file),
			mayReplace: mayUpload && !successorOf.has(file.id),
			review: file.review_verdict
				? {
						verdict: file.review_verdict,
						note: file.review_note,
						byName: file.reviewed_by_name,
						at: file.reviewed_at
					}
				: null
		});
		const [lastResponse] = responses;
		const [lastSubmission] = submissions;
		return {
			finding: {
				id: finding.id,
				reference: finding.reference,
				kind: finding.kind,
				grade: finding.grade,
				status: finding.status,
				statement: finding.statement,
				objectiveEvidence: finding.objective_evidence,
				raisedOn: finding.raised_on,
				raisedByName: context.raised_by_name,
				dueOn: finding.due_on,
				followUpCheckOn: finding.follow_up_check_on,
				closedAt: finding.closed_at,
				version: finding.version
			},
			evaluation: {
				id: finding.evaluation_id,
				kind: finding.evaluation_kind,
				status: finding.evaluation_status,
				windowStart: context.window_start,
				windowEnd: context.window_end
			},
			organisation: { id: finding.organisation_id, name: context.organisation_name },
			certificate: finding.certificate_id
				? { id: finding.certificate_id, number: context.certificate_number ?? '' }
				: null,
			standard: {
				id: finding.standard_id,
				code: context.standard_code,
				titleZh: context.standard_title_zh,
				titleEn: context.standard_title_en
			},
			clause: context.clause_number
				? {
						number: context.clause_number,
						titleZh: context.clause_title_zh ?? '',
						titleEn: context.clause_title_en ?? ''
					}
				: null,
			/** The organisation's commitment or service outlet the finding is about (issue 12 item 5). */
			serviceSubjects,
			today,
			overdue: isOverdue(finding, today),
			daysLeft: finding.due_on ? daysBetween(today, finding.due_on) : null,
			waitingFor: finding.kind === 'nonconformity' ? sideToAct(finding.status) : null,
			/** Which side reads the page: a rejection reads "yours was sent back" only to its author. */
			viewerSide: actor.organisationId ? ('organisation' as const) : ('body' as const),
			actions: mayReview
				? availableActions(
						{
							kind: finding.kind,
							status: finding.status,
							organisationId: finding.organisation_id,
							reportIssued: finding.reportIssued
						},
						{ role: actor.role, organisationId: actor.organisationId }
					)
				: [],
			maySetFollowUp: can(actor, 'finding.setFollowUp', subject),
			/** A verdict per file of the submission under review: the same people as the whole verdict. */
			mayReviewFiles:
				lastSubmission?.verdict === null && can(actor, 'evidence.reviewFile', subject),
			/** The organisation takes back files it has not submitted (services/evidence-review.ts). */
			mayRemoveFiles: can(actor, 'evidence.remove', { organisationId: finding.organisation_id }),
			/** The due date moves only with a recorded reason, by the team, while the finding is open. */
			mayChangeDue: can(actor, 'finding.changeDue', subject),
			/** The body's most recent "no" still standing: shown above the form that answers it. */
			lastRejection:
				finding.status === 'open' && lastResponse?.review_status === 'rejected'
					? {
							kind: 'response' as const,
							comment: lastResponse.review_comment ?? '',
							byName: lastResponse.reviewed_by_name,
							at: lastResponse.reviewed_at
						}
					: finding.status === 'action_in_progress' && lastSubmission?.verdict === 'not_effective'
						? {
								kind: 'evidence' as const,
								comment: lastSubmission.verdict_comment ?? '',
								byName: lastSubmission.verdict_by_name,
								at: lastSubmission.verdict_at
							}
						: null,
			responses: responses.map((r) => ({
				id: r.id,
				correction: r.correction,
				rootCause: r.root_cause,
				correctiveAction: r.corrective_action,
				owner: r.action_owner,
				targetOn: r.target_on,
				submittedAt: r.submitted_at,
				submittedByName: r.submitted_by_name,
				reviewStatus: r.review_status,
				reviewedAt: r.reviewed_at,
				reviewedByName: r.reviewed_by_name,
				reviewComment: r.review_comment
			})),
			submissions: submissions.map((s) => ({
				id: s.id,
				note: s.note,
				submittedAt: s.submitted_at,
				submittedByName: s.submitted_by_name,
				verdict: s.verdict,
				verdictAt: s.verdict_at,
				verdictByName: s.verdict_by_name,
				verdictComment: s.verdict_comment,
				files: files.filter((f) => f.submission_id === s.id).map(asFile),
				/** Whether the integrity of its files lets the reviewer verify it effective. */
				verifyCheck: checkVerifyEffective(
					files
						.filter((f) => f.submission_id === s.id)
						.map((f) => ({ integrityStatus: f.integrity_status }))
				)
			})),
			// An earlier version never submitted shows only in its successor's history.
			pendingFiles: files
				.filter((f) => f.submission_id === null && !successorOf.has(f.id))
				.map(asFile),
			timeline
		};
	});
}

export type FindingDetail = Awaited<ReturnType<typeof getFindingDetail>>;
