import type { AppDatabase } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import { daysBetween, todayInZone } from '../domain/calendar';
import { isOverdue, sideToAct } from '../domain/finding-lifecycle';
import { forbidden } from '../errors';
import { authorize } from './authorize';
import * as repo from '../repositories/responses';

/** How many recently closed nonconformities "my actions" lists. */
const RECENTLY_CLOSED = 10;

/**
 * "My actions" of an organisation user (SPEC §6): their organisation's nonconformities of issued
 * reports that wait for them, by due date, with what the body rejected last and why; those that
 * wait for the body; and the recently closed ones.
 */
export async function listMyActions(db: AppDatabase, actor: Actor, now = new Date()) {
	authorize(actor, 'myActions.read');
	if (!actor.organisationId) throw forbidden();
	const organisationId = actor.organisationId;
	const today = todayInZone(now, actor.tenant.timeZone);
	return db.inTenant(scopeOf(actor), async (tx) => {
		const [open, closed] = await Promise.all([
			repo.listOrganisationNonconformities(tx, organisationId, {
				statuses: ['open', 'response_submitted', 'action_in_progress', 'evidence_submitted'],
				order: 'due'
			}),
			repo.listOrganisationNonconformities(tx, organisationId, {
				statuses: ['closed'],
				order: 'recently_closed',
				limit: RECENTLY_CLOSED
			})
		]);
		const latest = await repo.latestReviews(
			tx,
			open.map((f) => f.id)
		);
		const responseOf = new Map(latest.responses.map((r) => [r.finding_id, r]));
		const submissionOf = new Map(latest.submissions.map((s) => [s.finding_id, s]));

		const items = open.map((finding) => {
			const response = responseOf.get(finding.id);
			const submission = submissionOf.get(finding.id);
			// What the body last said "no" to, while the finding is back with the organisation.
			const rejection =
				finding.status === 'open' && response?.review_status === 'rejected'
					? {
							kind: 'response' as const,
							comment: response.review_comment ?? '',
							at: response.reviewed_at
						}
					: finding.status === 'action_in_progress' && submission?.verdict === 'not_effective'
						? {
								kind: 'evidence' as const,
								comment: submission.verdict_comment ?? '',
								at: submission.verdict_at
							}
						: null;
			return {
				id: finding.id,
				reference: finding.reference,
				grade: finding.grade,
				status: finding.status,
				statement: finding.statement,
				evaluationKind: finding.evaluation_kind,
				evaluationDate: finding.evaluation_window_start,
				standardCode: finding.standard_code,
				certificateNumber: finding.certificate_number,
				clauseNumber: finding.clause_number,
				dueOn: finding.due_on,
				daysLeft: finding.due_on ? daysBetween(today, finding.due_on) : null,
				overdue: isOverdue(finding, today),
				rejection
			};
		});
		return {
			today,
			needsYou: items.filter((item) => sideToAct(item.status) === 'organisation'),
			waitingForBody: items.filter((item) => sideToAct(item.status) === 'body'),
			recentlyClosed: closed.map((finding) => ({
				id: finding.id,
				reference: finding.reference,
				grade: finding.grade,
				statement: finding.statement,
				evaluationKind: finding.evaluation_kind,
				evaluationDate: finding.evaluation_window_start,
				standardCode: finding.standard_code,
				certificateNumber: finding.certificate_number,
				clauseNumber: finding.clause_number,
				dueOn: finding.due_on,
				closedAt: finding.closed_at
			}))
		};
	});
}

export type MyActions = Awaited<ReturnType<typeof listMyActions>>;
