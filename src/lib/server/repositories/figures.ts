import { sql } from 'kysely';
import type { Tx } from '../db/tenant-scope';
import type { EvaluationStatus } from '../../../../db/schema';
import { tenantJoin } from './tenant-join';

/*
 * The body's figures (issue 11): one aggregate query per figure, counted in SQL. Row-level
 * security limits every one to the tenant; a `FigureScope` limits them further to one
 * organisation and to the findings its users may open (evaluations whose report is issued).
 * Durations come back as counts per number of days; the domain (domain/figures.ts) turns them
 * into ageing bands, means and percentiles.
 */

export interface FigureScope {
	/** One organisation's figures (its own users, or a staff member on its page); null: all. */
	organisationId: string | null;
	/** Only findings of evaluations in these statuses (what an organisation may see); null: all. */
	visibleStatuses: readonly EvaluationStatus[] | null;
}

export interface Period {
	from: string;
	to: string;
}

/** Nonconformities with their evaluation, within the scope. */
function nonconformities(tx: Tx, scope: FigureScope) {
	return tx
		.selectFrom('findings')
		.innerJoin('evaluations', tenantJoin('evaluations', 'findings.evaluation_id'))
		.where('findings.kind', '=', 'nonconformity')
		.$if(scope.organisationId !== null, (q) =>
			q.where('evaluations.organisation_id', '=', scope.organisationId!)
		)
		.$if(scope.visibleStatuses !== null, (q) =>
			q.where('evaluations.status', 'in', [...scope.visibleStatuses!])
		);
}

/** Nonconformities not closed yet, within the scope. */
function openNonconformities(tx: Tx, scope: FigureScope) {
	return nonconformities(tx, scope).where('findings.status', '<>', 'closed');
}

const openCount = sql<string>`count(*)`.as('open');
const overdueCount = (today: string) =>
	sql<string>`count(*) filter (where findings.due_on < ${today}::date)`.as('overdue');

/** A moment's date in the tenant's zone (a finding closes at a moment, it is due on a date). */
const dayInZone = (column: 'findings.closed_at' | 'evaluations.report_issued_at', zone: string) =>
	sql<string>`(${sql.ref(column)} at time zone ${zone})::date`;

export function openNonconformitiesByGrade(tx: Tx, scope: FigureScope, today: string) {
	return openNonconformities(tx, scope)
		.select(['findings.grade', openCount, overdueCount(today)])
		.groupBy('findings.grade')
		.orderBy('findings.grade')
		.execute();
}

export function openNonconformitiesByStandard(tx: Tx, scope: FigureScope, today: string) {
	return openNonconformities(tx, scope)
		.innerJoin('standards', tenantJoin('standards', 'evaluations.standard_id'))
		.select(['standards.id', 'standards.code', openCount, overdueCount(today)])
		.groupBy(['standards.id', 'standards.code'])
		.orderBy(sql`count(*)`, 'desc')
		.orderBy('standards.code')
		.execute();
}

/** The clauses cited most by open nonconformities (null id: none cited), `limit` of them. */
export function openNonconformitiesByClause(
	tx: Tx,
	scope: FigureScope,
	today: string,
	limit: number
) {
	return openNonconformities(tx, scope)
		.innerJoin('standards', tenantJoin('standards', 'evaluations.standard_id'))
		.leftJoin('clauses', tenantJoin('clauses', 'findings.clause_id'))
		.select([
			'clauses.id',
			'clauses.number',
			'standards.code as standard_code',
			openCount,
			overdueCount(today)
		])
		.groupBy(['clauses.id', 'clauses.number', 'standards.code'])
		.orderBy(sql`count(*)`, 'desc')
		.orderBy('standards.code')
		.orderBy('clauses.number')
		.limit(limit)
		.execute();
}

/** The organisations with the most open nonconformities, `limit` of them. */
export function openNonconformitiesByOrganisation(
	tx: Tx,
	scope: FigureScope,
	today: string,
	limit: number
) {
	return openNonconformities(tx, scope)
		.innerJoin('organisations', tenantJoin('organisations', 'evaluations.organisation_id'))
		.select(['organisations.id', 'organisations.legal_name', openCount, overdueCount(today)])
		.groupBy(['organisations.id', 'organisations.legal_name'])
		.orderBy(sql`count(*)`, 'desc')
		.orderBy('organisations.legal_name')
		.limit(limit)
		.execute();
}

/** Open nonconformities by where they stand in the life cycle, with how many are overdue. */
export function openNonconformitiesByStatus(tx: Tx, scope: FigureScope, today: string) {
	return openNonconformities(tx, scope)
		.select(['findings.status', openCount, overdueCount(today)])
		.groupBy('findings.status')
		.execute();
}

/** Overdue nonconformities counted per number of days past their due date. */
export function overdueNonconformitiesByDays(tx: Tx, scope: FigureScope, today: string) {
	return openNonconformities(tx, scope)
		.where('findings.due_on', '<', sql<string>`${today}::date`)
		.select([
			sql<number>`(${today}::date - findings.due_on)`.as('days'),
			sql<string>`count(*)`.as('count')
		])
		.groupBy(sql`1`)
		.execute();
}

/**
 * The period's first and last days as moments in the tenant's zone: a moment compared with them
 * (not its day computed row by row) keeps the condition on the plain column.
 */
const periodStart = (period: Period, zone: string) =>
	sql<Date>`(${period.from}::date::timestamp at time zone ${zone})`;
const periodEnd = (period: Period, zone: string) =>
	sql<Date>`((${period.to}::date + 1)::timestamp at time zone ${zone})`;

/** Nonconformities closed within the period (a day in the tenant's zone), with their days open. */
function closedInPeriod(tx: Tx, scope: FigureScope, period: Period, zone: string) {
	return nonconformities(tx, scope)
		.where('findings.status', '=', 'closed')
		.where('findings.closed_at', '>=', periodStart(period, zone))
		.where('findings.closed_at', '<', periodEnd(period, zone));
}

const daysToClose = (zone: string) =>
	sql<number>`(${dayInZone('findings.closed_at', zone)} - findings.raised_on)`;

/** Days from raised to closed per standard, as counts per number of days. */
export function closeDaysByStandard(tx: Tx, scope: FigureScope, period: Period, zone: string) {
	return closedInPeriod(tx, scope, period, zone)
		.innerJoin('standards', tenantJoin('standards', 'evaluations.standard_id'))
		.select([
			'standards.id',
			'standards.code',
			daysToClose(zone).as('days'),
			sql<string>`count(*)`.as('count')
		])
		.groupBy(['standards.id', 'standards.code', sql`3`])
		.execute();
}

/** Days from raised to closed per evaluator who raised the finding, as counts per number of days. */
export function closeDaysByEvaluator(tx: Tx, scope: FigureScope, period: Period, zone: string) {
	return closedInPeriod(tx, scope, period, zone)
		.innerJoin('users', 'users.id', 'findings.raised_by')
		.select([
			'users.id',
			'users.name',
			daysToClose(zone).as('days'),
			sql<string>`count(*)`.as('count')
		])
		.groupBy(['users.id', 'users.name', sql`3`])
		.execute();
}

/**
 * Evaluations per month of the period: planned (their window opens that month) and done (their
 * report was issued that month, in the tenant's zone). One statement, two series.
 */
export function evaluationsByMonth(tx: Tx, period: Period, zone: string) {
	const issuedOn = dayInZone('evaluations.report_issued_at', zone);
	const planned = tx
		.selectFrom('evaluations')
		.select([
			sql<string>`'planned'`.as('series'),
			sql<string>`to_char(evaluations.window_start, 'YYYY-MM')`.as('month'),
			sql<string>`count(*)`.as('count')
		])
		.where('evaluations.window_start', '>=', period.from)
		.where('evaluations.window_start', '<=', period.to)
		.groupBy(sql`2`);
	const done = tx
		.selectFrom('evaluations')
		.select([
			sql<string>`'done'`.as('series'),
			sql<string>`to_char(${issuedOn}, 'YYYY-MM')`.as('month'),
			sql<string>`count(*)`.as('count')
		])
		.where('evaluations.report_issued_at', '>=', periodStart(period, zone))
		.where('evaluations.report_issued_at', '<', periodEnd(period, zone))
		.groupBy(sql`2`);
	return planned.unionAll(done).execute();
}

/** Certificates by status and grade (null: a standard without grades). */
export function certificatesByStatusAndGrade(tx: Tx, scope: FigureScope) {
	return tx
		.selectFrom('certificates')
		.leftJoin('grade_levels', tenantJoin('grade_levels', 'certificates.grade_level_id'))
		.select([
			'certificates.status',
			'grade_levels.code as grade_code',
			'grade_levels.label_zh as grade_label_zh',
			'grade_levels.label_en as grade_label_en',
			'grade_levels.rank as grade_rank',
			sql<string>`count(*)`.as('count')
		])
		.$if(scope.organisationId !== null, (q) =>
			q.where('certificates.organisation_id', '=', scope.organisationId!)
		)
		.groupBy([
			'certificates.status',
			'grade_levels.code',
			'grade_levels.label_zh',
			'grade_levels.label_en',
			'grade_levels.rank'
		])
		.execute();
}

/**
 * Which clauses keep failing: every nonconformity ever raised within the scope, per clause, with
 * in how many evaluations it was raised and when last.
 */
export function nonconformitiesByClause(tx: Tx, scope: FigureScope, limit: number) {
	return nonconformities(tx, scope)
		.innerJoin('standards', tenantJoin('standards', 'evaluations.standard_id'))
		.leftJoin('clauses', tenantJoin('clauses', 'findings.clause_id'))
		.select([
			'clauses.id',
			'clauses.number',
			'standards.code as standard_code',
			sql<string>`count(*)`.as('count'),
			sql<string>`count(distinct findings.evaluation_id)`.as('evaluations'),
			sql<string>`count(*) filter (where findings.status <> 'closed')`.as('open'),
			sql<string>`max(findings.raised_on)`.as('last_raised_on')
		])
		.groupBy(['clauses.id', 'clauses.number', 'standards.code'])
		.orderBy(sql`count(*)`, 'desc')
		.orderBy('standards.code')
		.orderBy('clauses.number')
		.limit(limit)
		.execute();
}

/** How nonconformities met their due dates: closed by it, closed after it, open past it. */
export function dueOutcomes(tx: Tx, scope: FigureScope, today: string, zone: string) {
	const closedOn = dayInZone('findings.closed_at', zone);
	return nonconformities(tx, scope)
		.where('findings.due_on', 'is not', null)
		.select([
			sql<string>`count(*) filter (where findings.status = 'closed' and ${closedOn} <= findings.due_on)`.as(
				'closed_on_time'
			),
			sql<string>`count(*) filter (where findings.status = 'closed' and ${closedOn} > findings.due_on)`.as(
				'closed_late'
			),
			sql<string>`count(*) filter (where findings.status <> 'closed' and findings.due_on < ${today}::date)`.as(
				'open_overdue'
			)
		])
		.executeTakeFirstOrThrow();
}
