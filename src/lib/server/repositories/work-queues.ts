import {
	sql,
	type Expression,
	type RawBuilder,
	type SelectQueryBuilder,
	type SqlBool
} from 'kysely';
import type { Tx } from '../db/tenant-scope';
import type { Database, EvaluationStatus, FindingStatus, Role } from '../../../../db/schema';
import type { QueueHorizons, QueueName } from '../domain/work-queues';
import type { SchemeRules } from '../domain/scheme-rules';
import { afterKey, orderOf, type KeysetPage } from './keyset';
import { tenantJoin } from './tenant-join';
import { LAST_SURVEILLANCE_ENDED_ON, RENEWED_ON } from './certificates';

/*
 * The work queues' queries (domain/work-queues.ts names them). Each queue is one SELECT of
 * uniform rows; its count on the dashboard is `count(*)` over that same SELECT and its page is the
 * same SELECT read in keyset order, so the number and the list cannot disagree. All counts of a
 * dashboard are one statement. Row-level security keeps other tenants out.
 */

/** One row of any queue: what it is, its key date (`on`, ISO), and what the page shows of it. */
export interface QueueRow {
	id: string;
	/** The date the queue is ordered by: a due date, a window's start, an expiry … */
	on: string;
	label: string;
	organisation_name: string | null;
	detail: string | null;
	status: string | null;
	grade: string | null;
	/** A second date: an evaluation window's end, a certificate's expiry. */
	until: string | null;
	/** For an evaluation awaiting a decision: the findings that block it. */
	blocking: { id: string; reference: string; grade: string | null; status: string }[] | null;
}

export interface QueueContext {
	userId: string;
	organisationId: string | null;
	timeZone: string;
	horizons: QueueHorizons;
	defaults: SchemeRules;
	/** Evaluation statuses whose findings an organisation sees (services/finding-access.ts). */
	released: readonly EvaluationStatus[];
	/** Statuses in which a minor nonconformity has an accepted plan (domain/certification-decision.ts). */
	planAccepted: readonly FindingStatus[];
	/** Roles that may lead an evaluation (domain/permissions.ts `TEAM_ROLES`). */
	teamRoles: readonly Role[];
	organisationAnswers: readonly FindingStatus[];
	bodyReviewsPlan: FindingStatus;
	bodyVerifiesEvidence: FindingStatus;
}

// Every queue selects the same columns; the builder's row type is this one whatever it joined.
type QueueQuery = SelectQueryBuilder<Database, never, QueueRow>;

const iso = (date: Expression<unknown> | RawBuilder<unknown>) =>
	sql<string>`to_char(${date}, 'YYYY-MM-DD')`;
const none = sql<null>`null`;

const onTeam = (userId: string, evaluationId = 'evaluations.id') =>
	sql<SqlBool>`exists (select 1 from evaluation_team_members t where t.tenant_id = evaluations.tenant_id and t.evaluation_id = ${sql.ref(evaluationId)} and t.user_id = ${userId})`;

function teamFindings(tx: Tx, context: QueueContext) {
	return tx
		.selectFrom('findings')
		.innerJoin('evaluations', tenantJoin('evaluations', 'findings.evaluation_id'))
		.innerJoin('organisations', tenantJoin('organisations', 'evaluations.organisation_id'))
		.where('findings.kind', '=', 'nonconformity')
		.where(onTeam(context.userId));
}

function findingColumns<Q extends ReturnType<typeof teamFindings>>(q: Q, on: RawBuilder<string>) {
	return q.select([
		'findings.id',
		on.as('on'),
		'findings.reference as label',
		'organisations.legal_name as organisation_name',
		'findings.statement as detail',
		'findings.status',
		'findings.grade',
		none.as('until'),
		none.as('blocking')
	]);
}

const dueOn = iso(sql`coalesce(findings.due_on, findings.raised_on)`);

function evaluationsWithNames(tx: Tx) {
	return tx
		.selectFrom('evaluations')
		.innerJoin('organisations', tenantJoin('organisations', 'evaluations.organisation_id'))
		.innerJoin('standards', tenantJoin('standards', 'evaluations.standard_id'))
		.leftJoin('certificates', tenantJoin('certificates', 'evaluations.certificate_id'));
}

function evaluationColumns<Q extends ReturnType<typeof evaluationsWithNames>>(
	q: Q,
	blocking: RawBuilder<unknown> = none
) {
	return q.select([
		'evaluations.id',
		iso(sql.ref('evaluations.window_start')).as('on'),
		sql<string>`coalesce(certificates.number, standards.code)`.as('label'),
		'organisations.legal_name as organisation_name',
		sql<string>`evaluations.kind`.as('detail'),
		'evaluations.status',
		none.as('grade'),
		iso(sql.ref('evaluations.window_end')).as('until'),
		blocking.as('blocking')
	]);
}

function certificatesWithNames(tx: Tx) {
	return tx
		.selectFrom('certificates')
		.innerJoin('organisations', tenantJoin('organisations', 'certificates.organisation_id'))
		.innerJoin('standards', tenantJoin('standards', 'certificates.standard_id'));
}

function certificateColumns<Q extends ReturnType<typeof certificatesWithNames>>(
	q: Q,
	on: RawBuilder<string>
) {
	return q.select([
		'certificates.id',
		on.as('on'),
		'certificates.number as label',
		'organisations.legal_name as organisation_name',
		'standards.code as detail',
		'certificates.status',
		none.as('grade'),
		iso(sql.ref('certificates.expires_on')).as('until'),
		none.as('blocking')
	]);
}

/**
 * The next surveillance due date of each certificate, as domain/scheme-rules.ts
 * `nextSurveillanceDue` computes it: the longest gap after the last surveillance (or
 * recertification) of the
 * current cycle, or the first surveillance after the decision (or issue, or the renewal). PostgreSQL's month arithmetic clamps to the
 * month's end as `addMonths` does. A standard without rules of its own takes the defaults.
 */
function nextSurveillance(defaults: SchemeRules) {
	const rule = (column: string, fallback: number | string) =>
		sql`coalesce((select ${sql.ref(`r.${column}`)} from scheme_rules r where r.tenant_id = certificates.tenant_id and r.standard_id = certificates.standard_id), ${fallback})`;
	const last = LAST_SURVEILLANCE_ENDED_ON;
	// A renewal starts a new cycle: an earlier surveillance no longer counts, and the first of the
	// cycle counts from the renewal decision.
	const renewed = sql`${RENEWED_ON}::date`;
	return sql<string>`(case when ${last} is not null and (${renewed} is null or ${last} > ${renewed})
		then (${last} + make_interval(months => ${rule('max_surveillance_gap_months', defaults.maxSurveillanceGapMonths)}::int))::date
		else ((case when ${renewed} is not null then ${renewed} when ${rule('first_surveillance_from', defaults.firstSurveillanceFrom)}::text = 'issue' then certificates.issued_on else certificates.decided_on end)
			+ make_interval(months => ${rule('first_surveillance_months', defaults.firstSurveillanceMonths)}::int))::date end)`;
}

const QUEUES: Record<QueueName, (tx: Tx, context: QueueContext) => QueueQuery> = {
	'plans-to-review': (tx, c) =>
		findingColumns(teamFindings(tx, c), dueOn).where(
			'findings.status',
			'=',
			c.bodyReviewsPlan
		) as never,
	'evidence-to-verify': (tx, c) =>
		findingColumns(teamFindings(tx, c), dueOn).where(
			'findings.status',
			'=',
			c.bodyVerifiesEvidence
		) as never,
	'follow-ups-due': (tx, c) =>
		findingColumns(teamFindings(tx, c), iso(sql.ref('findings.follow_up_check_on'))).where(
			'findings.follow_up_check_on',
			'<=',
			c.horizons.today
		) as never,
	escalations: (tx, c) =>
		findingColumns(teamFindings(tx, c), dueOn)
			.where('findings.status', '<>', 'closed')
			.where('findings.due_on', '<', c.horizons.escalateBefore) as never,
	'evaluations-to-start': (tx, c) =>
		evaluationColumns(evaluationsWithNames(tx))
			.where('evaluations.status', '=', 'planned')
			.where(onTeam(c.userId)) as never,
	'reports-to-issue': (tx, c) =>
		evaluationColumns(evaluationsWithNames(tx))
			.where('evaluations.status', '=', 'in_progress')
			.where(onTeam(c.userId)) as never,
	'awaiting-decision': (tx, c) =>
		evaluationColumns(
			evaluationsWithNames(tx),
			// ISO/IEC 17021-1 9.5: open majors and minors without an accepted plan hold the decision.
			sql`(select coalesce(json_agg(json_build_object('id', f.id, 'reference', f.reference, 'grade', f.grade, 'status', f.status) order by f.reference), '[]'::json)
				from findings f where f.tenant_id = evaluations.tenant_id and f.evaluation_id = evaluations.id and f.kind = 'nonconformity'
				and ((f.grade = 'major' and f.status <> 'closed') or (f.grade = 'minor' and f.status not in (${sql.join([...c.planAccepted])}))))`
		)
			.where('evaluations.status', '=', 'report_issued')
			.where(({ not }) => not(onTeam(c.userId)))
			.where(
				sql<SqlBool>`not exists (select 1 from decisions d where d.tenant_id = evaluations.tenant_id and d.evaluation_id = evaluations.id)`
			) as never,
	'suspension-due': (tx) =>
		certificateColumns(certificatesWithNames(tx), iso(sql.ref('certificates.suspension_due_by')))
			.where('certificates.status', '=', 'active')
			.where('certificates.suspension_due_by', 'is not', null) as never,
	'withdrawal-proposals': (tx) =>
		certificateColumns(
			certificatesWithNames(tx),
			iso(sql.ref('certificates.withdrawal_proposed_on'))
		)
			.where('certificates.status', '=', 'suspended')
			.where('certificates.withdrawal_proposed_on', 'is not', null) as never,
	'expiring-certificates': (tx, c) =>
		certificateColumns(certificatesWithNames(tx), iso(sql.ref('certificates.expires_on')))
			.where('certificates.status', '=', 'active')
			.where('certificates.expires_on', '<=', c.horizons.expiringBy) as never,
	'surveillance-due': (tx, c) =>
		certificateColumns(certificatesWithNames(tx), iso(nextSurveillance(c.defaults)))
			.where('certificates.status', '=', 'active')
			.where(nextSurveillance(c.defaults), '<=', sql<string>`${c.horizons.surveillanceBy}::date`)
			// Already planned (or under way): it is no longer waiting for the admin.
			.where(
				sql<SqlBool>`not exists (select 1 from evaluations e where e.tenant_id = certificates.tenant_id and e.certificate_id = certificates.id and e.kind in ('surveillance', 'recertification') and e.status in ('planned', 'in_progress'))`
			) as never,
	'unassigned-evaluations': (tx, c) =>
		evaluationColumns(evaluationsWithNames(tx))
			.where('evaluations.status', '<>', 'closed')
			// No lead who still works here as an evaluator or admin.
			.where(
				sql<SqlBool>`not exists (select 1 from evaluation_team_members t join memberships m on m.tenant_id = t.tenant_id and m.user_id = t.user_id
					where t.tenant_id = evaluations.tenant_id and t.evaluation_id = evaluations.id and t.team_role = 'lead' and m.role in (${sql.join([...c.teamRoles])}))`
			) as never,
	'failed-deliveries': (tx, c) =>
		tx
			.selectFrom('outbox')
			.select([
				'outbox.id',
				iso(sql`outbox.created_at at time zone ${c.timeZone}`).as('on'),
				'outbox.subject as label',
				none.as('organisation_name'),
				'outbox.to_email as detail',
				'outbox.status',
				none.as('grade'),
				none.as('until'),
				none.as('blocking')
			])
			.where('outbox.status', '=', 'failed') as never,
	'to-answer': (tx, c) =>
		tx
			.selectFrom('findings')
			.innerJoin('evaluations', tenantJoin('evaluations', 'findings.evaluation_id'))
			.innerJoin('organisations', tenantJoin('organisations', 'evaluations.organisation_id'))
			.select([
				'findings.id',
				dueOn.as('on'),
				'findings.reference as label',
				'organisations.legal_name as organisation_name',
				'findings.statement as detail',
				'findings.status',
				'findings.grade',
				none.as('until'),
				none.as('blocking')
			])
			.where('findings.kind', '=', 'nonconformity')
			.where('evaluations.organisation_id', '=', c.organisationId!)
			// Only findings of issued reports: the same rule as the finding pages.
			.where('evaluations.status', 'in', [...c.released])
			.where('findings.status', 'in', [...c.organisationAnswers]) as never,
	'obligations-due': (tx, c) =>
		tx
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
				iso(sql.ref('obligation_due_items.due_on')).as('on'),
				'recurring_obligations.title_zh as label',
				'organisations.legal_name as organisation_name',
				'recurring_obligations.title_en as detail',
				'obligation_due_items.status',
				none.as('grade'),
				iso(sql.ref('obligation_due_items.period_end')).as('until'),
				none.as('blocking')
			])
			.where('recurring_obligations.organisation_id', '=', c.organisationId!)
			.where('obligation_due_items.status', 'in', ['pending', 'rejected'])
			.where('obligation_due_items.due_on', '<=', c.horizons.obligationsBy) as never,
	'our-certificates': (tx, c) =>
		certificateColumns(certificatesWithNames(tx), iso(nextSurveillance(c.defaults)))
			.where('certificates.organisation_id', '=', c.organisationId!)
			.where('certificates.status', 'in', ['active', 'suspended']) as never
};

/** One page of a queue, `page.limit` rows after `page.after` in (on, id) order. */
export function listQueue(tx: Tx, queue: QueueName, context: QueueContext, page: KeysetPage) {
	const base = QUEUES[queue](tx, context);
	return tx
		.selectFrom(base.as('q'))
		.selectAll('q')
		.$if(page.after !== null, (q) => q.where(afterKey(page.order, page.after!)))
		.orderBy(orderOf(page.order))
		.limit(page.limit)
		.execute() as Promise<QueueRow[]>;
}

/** How many rows a queue holds: the same SELECT, counted. */
export async function countQueue(tx: Tx, queue: QueueName, context: QueueContext) {
	const row = await tx
		.selectFrom(QUEUES[queue](tx, context).as('q'))
		.select((eb) => eb.fn.countAll<string>().as('n'))
		.executeTakeFirstOrThrow();
	return Number(row.n);
}

/** The counts of several queues in one statement (the dashboard's). */
export async function countQueues(
	tx: Tx,
	queues: readonly QueueName[],
	context: QueueContext
): Promise<Record<string, number>> {
	if (queues.length === 0) return {};
	const row = (await tx
		.selectNoFrom(
			queues.map((queue) =>
				sql<string>`(select count(*) from (${QUEUES[queue](tx, context)}) q)`.as(queue)
			)
		)
		.executeTakeFirstOrThrow()) as Record<string, string>;
	return Object.fromEntries(queues.map((queue) => [queue, Number(row[queue])]));
}
