import { sql } from 'kysely';
import type { Tx } from '../db/tenant-scope';
import type { EvaluationStatus } from '../../../../db/schema';
import {
	certificatesWithOrganisation,
	evaluationsWithNames,
	findingsWithOrganisation
} from './joins';
import { tenantJoin } from './tenant-join';
import { LAST_SURVEILLANCE_ENDED_ON, RENEWED_ON } from './certificates';

/*
 * What the calendar shows, one query per kind of date, each bounded by the days asked for
 * (`from` to `to`, both included). Row-level security keeps them to the tenant; the filter
 * narrows them to one organisation (an organisation's own users always pass theirs) and to the
 * work of one evaluator: an evaluation they are on the team of, and the certificates,
 * nonconformities and obligations of the evaluations they worked on.
 */

export interface CalendarQuery {
	from: string;
	to: string;
	organisationId: string | null;
	evaluatorId: string | null;
}

/** The person is on the team of the evaluation `evaluation` (an alias or table name). */
const onTeamOf = (evaluation: string, userId: string) =>
	sql<boolean>`exists (select 1 from evaluation_team_members t where t.tenant_id = ${sql.ref(`${evaluation}.tenant_id`)} and t.evaluation_id = ${sql.ref(`${evaluation}.id`)} and t.user_id = ${userId})`;

/** The person was on the team of an evaluation of the certificate. */
const workedOnCertificate = (certificateId: string, userId: string) =>
	sql<boolean>`exists (select 1 from evaluations e join evaluation_team_members t on t.tenant_id = e.tenant_id and t.evaluation_id = e.id where e.tenant_id = certificates.tenant_id and e.certificate_id = ${sql.ref(certificateId)} and t.user_id = ${userId})`;

/** Evaluations whose planned window meets the range. */
export function evaluationsInRange(tx: Tx, q: CalendarQuery) {
	return evaluationsWithNames(tx)
		.select([
			'evaluations.id',
			'evaluations.kind',
			'evaluations.reference',
			'evaluations.status',
			'evaluations.window_start',
			'evaluations.window_end',
			'organisations.legal_name as organisation_name',
			'standards.code as standard_code'
		])
		.where('evaluations.window_start', '<=', q.to)
		.where('evaluations.window_end', '>=', q.from)
		.$if(q.organisationId !== null, (b) =>
			b.where('evaluations.organisation_id', '=', q.organisationId!)
		)
		.$if(q.evaluatorId !== null, (b) => b.where(onTeamOf('evaluations', q.evaluatorId!)))
		.orderBy('evaluations.window_start')
		.orderBy('evaluations.id')
		.execute();
}

/**
 * Open nonconformities due in the range. `visibleStatuses`, when given, keeps only those of
 * evaluations in these statuses (an organisation sees findings once the report is issued).
 */
export function nonconformityDeadlinesInRange(
	tx: Tx,
	q: CalendarQuery,
	visibleStatuses: readonly EvaluationStatus[] | null
) {
	return findingsWithOrganisation(tx)
		.select([
			'findings.id',
			'findings.reference',
			'findings.grade',
			'findings.status',
			'findings.due_on',
			'organisations.legal_name as organisation_name'
		])
		.where('findings.kind', '=', 'nonconformity')
		.where('findings.status', '<>', 'closed')
		.where('findings.due_on', '>=', q.from)
		.where('findings.due_on', '<=', q.to)
		.$if(q.organisationId !== null, (b) =>
			b.where('evaluations.organisation_id', '=', q.organisationId!)
		)
		.$if(visibleStatuses !== null, (b) =>
			b.where('evaluations.status', 'in', [...visibleStatuses!])
		)
		.$if(q.evaluatorId !== null, (b) => b.where(onTeamOf('evaluations', q.evaluatorId!)))
		.orderBy('findings.due_on')
		.orderBy('findings.id')
		.execute();
}

/** Certificates still in force (active or suspended) expiring in the range. */
export function certificateExpiriesInRange(tx: Tx, q: CalendarQuery) {
	return certificatesWithOrganisation(tx)
		.select([
			'certificates.id',
			'certificates.number',
			'certificates.expires_on',
			'organisations.legal_name as organisation_name'
		])
		.where('certificates.status', 'in', ['active', 'suspended'])
		.where('certificates.expires_on', '>=', q.from)
		.where('certificates.expires_on', '<=', q.to)
		.$if(q.organisationId !== null, (b) =>
			b.where('certificates.organisation_id', '=', q.organisationId!)
		)
		.$if(q.evaluatorId !== null, (b) =>
			b.where(workedOnCertificate('certificates.id', q.evaluatorId!))
		)
		.orderBy('certificates.expires_on')
		.orderBy('certificates.id')
		.execute();
}

/**
 * Certificates under surveillance with what their clock needs (the scheme rules of their
 * standard and the end of their last surveillance or recertification whose report is out); the
 * service computes the due date (domain/scheme-rules.ts) and keeps those in the range. The
 * certificate's own dates bound the query: a surveillance falls due before it expires.
 */
export function surveilledCertificates(tx: Tx, q: CalendarQuery) {
	return certificatesWithOrganisation(tx)
		.leftJoin('scheme_rules', (join) =>
			join
				.onRef('scheme_rules.tenant_id', '=', 'certificates.tenant_id')
				.onRef('scheme_rules.standard_id', '=', 'certificates.standard_id')
		)
		.select([
			'certificates.id',
			'certificates.number',
			'certificates.issued_on',
			'certificates.decided_on',
			'organisations.legal_name as organisation_name',
			'scheme_rules.certificate_validity_months',
			'scheme_rules.first_surveillance_months',
			'scheme_rules.first_surveillance_from',
			'scheme_rules.max_surveillance_gap_months',
			'scheme_rules.major_due_days',
			'scheme_rules.minor_due_days',
			'scheme_rules.overdue_minor_becomes_major',
			'scheme_rules.max_suspension_months',
			'scheme_rules.suspend_within_days'
		])
		.select(LAST_SURVEILLANCE_ENDED_ON.as('last_surveillance_ended_on'))
		.select(RENEWED_ON.as('renewed_on'))
		.where('certificates.status', 'in', ['active', 'suspended'])
		.where('certificates.issued_on', '<=', q.to)
		.where('certificates.expires_on', '>=', q.from)
		.$if(q.organisationId !== null, (b) =>
			b.where('certificates.organisation_id', '=', q.organisationId!)
		)
		.$if(q.evaluatorId !== null, (b) =>
			b.where(workedOnCertificate('certificates.id', q.evaluatorId!))
		)
		.orderBy('certificates.id')
		.execute();
}

/** An obligation's due items not yet fulfilled (pending or sent back), due in the range. */
export function obligationItemsInRange(tx: Tx, q: CalendarQuery) {
	return tx
		.selectFrom('obligation_due_items')
		.innerJoin(
			'recurring_obligations',
			tenantJoin('recurring_obligations', 'obligation_due_items.obligation_id')
		)
		.innerJoin(
			'organisations',
			tenantJoin('organisations', 'recurring_obligations.organisation_id')
		)
		.select([
			'obligation_due_items.id',
			'obligation_due_items.due_on',
			'obligation_due_items.status',
			'recurring_obligations.title_zh',
			'recurring_obligations.title_en',
			'organisations.legal_name as organisation_name'
		])
		.where('obligation_due_items.status', 'in', ['pending', 'rejected'])
		.where('obligation_due_items.due_on', '>=', q.from)
		.where('obligation_due_items.due_on', '<=', q.to)
		.$if(q.organisationId !== null, (b) =>
			b.where('recurring_obligations.organisation_id', '=', q.organisationId!)
		)
		.$if(q.evaluatorId !== null, (b) =>
			b.where(
				sql<boolean>`exists (select 1 from evaluations e join evaluation_team_members t on t.tenant_id = e.tenant_id and t.evaluation_id = e.id where e.tenant_id = recurring_obligations.tenant_id and (e.certificate_id = recurring_obligations.certificate_id or (recurring_obligations.certificate_id is null and e.organisation_id = recurring_obligations.organisation_id)) and t.user_id = ${q.evaluatorId!})`
			)
		)
		.orderBy('obligation_due_items.due_on')
		.orderBy('obligation_due_items.id')
		.execute();
}

/** The body's staff who may be on an evaluation's team: the evaluator filter's choices. */
export function evaluatorChoices(tx: Tx, roles: readonly string[]) {
	return tx
		.selectFrom('memberships')
		.innerJoin('users', 'users.id', 'memberships.user_id')
		.select(['users.id', 'users.name'])
		.where('memberships.role', 'in', [...roles] as never)
		.orderBy('users.name')
		.orderBy('users.id')
		.execute();
}

/* ---- The iCalendar feeds: a person's own rows only (the table's policy). ---- */

export function findLiveFeed(tx: Tx, userId: string) {
	return tx
		.selectFrom('calendar_feeds')
		.select(['id', 'created_at'])
		.where('user_id', '=', userId)
		.where('revoked_at', 'is', null)
		.executeTakeFirst();
}

/** Revokes the person's live feed, if any; answers the ids revoked. */
export function revokeLiveFeeds(tx: Tx, userId: string, at: Date) {
	return tx
		.updateTable('calendar_feeds')
		.set({ revoked_at: at })
		.where('user_id', '=', userId)
		.where('revoked_at', 'is', null)
		.returning(['id'])
		.execute();
}

export function insertFeed(
	tx: Tx,
	feed: { tenantId: string; userId: string; tokenHash: Uint8Array; createdAt: Date }
) {
	return tx
		.insertInto('calendar_feeds')
		.values({
			tenant_id: feed.tenantId,
			user_id: feed.userId,
			token_hash: feed.tokenHash,
			created_at: feed.createdAt
		})
		.returning(['id', 'created_at'])
		.executeTakeFirstOrThrow();
}

/**
 * The tenant and person of a live feed's token hash, read before any tenant is chosen (the
 * feed's request has no session): SECURITY DEFINER, migration 2026-12-03-14-calendar-feeds.
 */
export async function findFeedOwner(tx: Tx, tokenHash: Uint8Array) {
	const result = await sql<{
		tenant_id: string;
		user_id: string;
	}>`select tenant_id, user_id from app_calendar_feed_find(${tokenHash})`.execute(tx);
	return result.rows[0];
}
