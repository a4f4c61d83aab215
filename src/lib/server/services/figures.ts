import type { AppDatabase } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import type { CertificateStatus, FindingStatus, NonconformityGrade } from '../../../../db/schema';
import { lifecycleSide, mayEver } from '../domain/permissions';
import { todayInZone } from '../domain/calendar';
import { FINDING_STATUSES } from '../domain/finding-lifecycle';
import {
	ageOverdue,
	closeTimes,
	defaultPeriod,
	dueRangeOfBucket,
	monthlyEvaluations,
	monthsOf,
	onTimeRate,
	periodProblem,
	type AgeingBucketKey,
	type CloseTimes,
	type DayCount
} from '../domain/figures';
import { badInput } from '../errors';
import * as repo from '../repositories/figures';
import { authorize } from './authorize';
import { REPORT_ISSUED } from './finding-access';
import { figuresPeriodInput } from './figures.schema';

/*
 * The body's figures (issue 11 items 2 and 6): the charts of /reports, the dashboard's panel, the
 * management review, and one organisation's figures. Each figure is one repository aggregate;
 * the domain turns counts per day into bands, means and percentiles. Everything is read in one
 * transaction, so the figures of one page agree with one another.
 */

/** How many clauses and organisations a "by clause" / "by organisation" chart shows at most. */
export const FIGURE_TOP = 15;

export interface Period {
	from: string;
	to: string;
}

/** The period of a figures URL (`from`, `to`), defaulted and checked; bad input is a 400. */
export function figuresPeriod(params: URLSearchParams, actor: Actor, now = new Date()): Period {
	const parsed = figuresPeriodInput.safeParse({
		from: params.get('from') ?? undefined,
		to: params.get('to') ?? undefined
	});
	if (!parsed.success) {
		const issue = parsed.error.issues[0]!;
		throw badInput(String(issue.path[0] ?? 'from'), issue.message);
	}
	const fallback = defaultPeriod(todayInZone(now, actor.tenant.timeZone));
	const period = { from: parsed.data.from ?? fallback.from, to: parsed.data.to ?? fallback.to };
	const problem = periodProblem(period.from, period.to);
	if (problem === 'order') throw badInput('to', 'figures_error_period_order');
	if (problem === 'length') throw badInput('from', 'figures_error_period_length');
	return period;
}

export interface OpenOverdue {
	open: number;
	overdue: number;
}

const openOverdue = (row: { open: string; overdue: string }): OpenOverdue => ({
	open: Number(row.open),
	overdue: Number(row.overdue)
});

const byGradeRows = (rows: { grade: NonconformityGrade | null; open: string; overdue: string }[]) =>
	rows
		.filter((row): row is typeof row & { grade: NonconformityGrade } => row.grade !== null)
		.map((row) => ({ grade: row.grade, ...openOverdue(row) }));

/** The ageing bands, each with the due dates the finding list filters its findings by. */
const ageingRows = (rows: { days: number; count: string }[], today: string) =>
	ageOverdue(rows.map((row) => ({ days: Number(row.days), count: Number(row.count) }))).map(
		({ bucket, count }) => ({
			key: bucket.key as AgeingBucketKey,
			count,
			...dueRangeOfBucket(bucket, today)
		})
	);

/** Counts per day of several groups, grouped and summed up by the domain. */
function closeTimesBy<Row extends { id: string; days: number; count: string }, Extra>(
	rows: readonly Row[],
	extra: (row: Row) => Extra,
	labelOf: (extra: Extra) => string
): (Extra & { id: string } & CloseTimes)[] {
	const groups = new Map<string, { extra: Extra; days: DayCount[] }>();
	for (const row of rows) {
		const group = groups.get(row.id) ?? { extra: extra(row), days: [] };
		group.days.push({ days: Number(row.days), count: Number(row.count) });
		groups.set(row.id, group);
	}
	return [...groups]
		.map(([id, group]) => ({ id, ...group.extra, ...closeTimes(group.days) }))
		.sort((a, b) => b.count - a.count || labelOf(a).localeCompare(labelOf(b)));
}

/** The body's figures for /reports and the management review: staff only, the whole tenant. */
export async function bodyFigures(db: AppDatabase, actor: Actor, period: Period, now = new Date()) {
	authorize(actor, 'figures.read');
	const zone = actor.tenant.timeZone;
	const today = todayInZone(now, zone);
	const scope: repo.FigureScope = { organisationId: null, visibleStatuses: null };
	return db.inTenant(scopeOf(actor), async (tx) => {
		const [
			byGrade,
			byStandard,
			byClause,
			byOrganisation,
			overdueDays,
			closeByStandard,
			closeByEvaluator,
			evaluations,
			certificates
		] = await Promise.all([
			repo.openNonconformitiesByGrade(tx, scope, today),
			repo.openNonconformitiesByStandard(tx, scope, today),
			repo.openNonconformitiesByClause(tx, scope, today, FIGURE_TOP),
			repo.openNonconformitiesByOrganisation(tx, scope, today, FIGURE_TOP),
			repo.overdueNonconformitiesByDays(tx, scope, today),
			repo.closeDaysByStandard(tx, scope, period, zone),
			repo.closeDaysByEvaluator(tx, scope, period, zone),
			repo.evaluationsByMonth(tx, period, zone),
			repo.certificatesByStatusAndGrade(tx, scope)
		]);
		const monthly = (series: string) =>
			evaluations
				.filter((row) => row.series === series)
				.map((row) => ({ month: row.month, count: Number(row.count) }));
		return {
			today,
			period,
			byGrade: byGradeRows(byGrade),
			byStandard: byStandard.map((row) => ({ id: row.id, code: row.code, ...openOverdue(row) })),
			byClause: byClause.map((row) => ({
				id: row.id,
				number: row.number,
				standardCode: row.standard_code,
				...openOverdue(row)
			})),
			byOrganisation: byOrganisation.map((row) => ({
				id: row.id,
				name: row.legal_name,
				...openOverdue(row)
			})),
			ageing: ageingRows(overdueDays, today),
			closeByStandard: closeTimesBy(
				closeByStandard,
				(row) => ({ code: row.code }),
				(row) => row.code
			),
			closeByEvaluator: closeTimesBy(
				closeByEvaluator,
				(row) => ({ name: row.name }),
				(row) => row.name
			),
			evaluationsByMonth: monthlyEvaluations(
				monthsOf(period.from, period.to),
				monthly('planned'),
				monthly('done')
			),
			certificates: certificates
				.map((row) => ({
					status: row.status as CertificateStatus,
					gradeCode: row.grade_code,
					gradeZh: row.grade_label_zh,
					gradeEn: row.grade_label_en,
					gradeRank: row.grade_rank,
					count: Number(row.count)
				}))
				.sort((a, b) => (a.gradeRank ?? 1e9) - (b.gradeRank ?? 1e9))
		};
	});
}

export type BodyFigures = Awaited<ReturnType<typeof bodyFigures>>;

/**
 * One organisation's figures: what is open, which clauses keep failing, how often it met its
 * due dates. The body's staff for any organisation; its own users for theirs, counting only the
 * findings they may open (the report is issued).
 */
export async function organisationFigures(
	db: AppDatabase,
	actor: Actor,
	organisationId: string,
	now = new Date()
) {
	authorize(actor, 'figures.organisation', { organisationId });
	const zone = actor.tenant.timeZone;
	const today = todayInZone(now, zone);
	const scope: repo.FigureScope = {
		organisationId,
		visibleStatuses: lifecycleSide(actor.role) === 'organisation' ? REPORT_ISSUED : null
	};
	return db.inTenant(scopeOf(actor), async (tx) => {
		const [byStatus, byClause, outcomes] = await Promise.all([
			repo.openNonconformitiesByStatus(tx, scope, today),
			repo.nonconformitiesByClause(tx, scope, FIGURE_TOP),
			repo.dueOutcomes(tx, scope, today, zone)
		]);
		const due = {
			closedOnTime: Number(outcomes.closed_on_time),
			closedLate: Number(outcomes.closed_late),
			openOverdue: Number(outcomes.open_overdue)
		};
		return {
			organisationId,
			today,
			// In the life cycle's order.
			openByStatus: byStatus
				.map((row) => ({ status: row.status as FindingStatus, ...openOverdue(row) }))
				.sort((a, b) => FINDING_STATUSES.indexOf(a.status) - FINDING_STATUSES.indexOf(b.status)),
			byClause: byClause.map((row) => ({
				id: row.id,
				number: row.number,
				standardCode: row.standard_code,
				count: Number(row.count),
				evaluations: Number(row.evaluations),
				open: Number(row.open),
				lastRaisedOn: row.last_raised_on
			})),
			due,
			onTimeRate: onTimeRate(due)
		};
	});
}

export type OrganisationFigures = Awaited<ReturnType<typeof organisationFigures>>;

/**
 * The figures the dashboard shows beside its queues: the body's staff see open and overdue
 * nonconformities by grade and the ageing of the overdue ones; an organisation's users see
 * their organisation's figures.
 */
export async function dashboardFigures(db: AppDatabase, actor: Actor, now = new Date()) {
	if (!mayEver(actor, 'figures.read')) {
		if (!actor.organisationId) return null;
		return {
			kind: 'organisation' as const,
			organisation: await organisationFigures(db, actor, actor.organisationId, now)
		};
	}
	const today = todayInZone(now, actor.tenant.timeZone);
	const scope: repo.FigureScope = { organisationId: null, visibleStatuses: null };
	return db.inTenant(scopeOf(actor), async (tx) => {
		const [byGrade, overdueDays] = await Promise.all([
			repo.openNonconformitiesByGrade(tx, scope, today),
			repo.overdueNonconformitiesByDays(tx, scope, today)
		]);
		return {
			kind: 'body' as const,
			today,
			byGrade: byGradeRows(byGrade),
			ageing: ageingRows(overdueDays, today)
		};
	});
}

export type DashboardFigures = Awaited<ReturnType<typeof dashboardFigures>>;
