import { addDays } from './calendar';

/*
 * The rules behind the body's figures (issue 11: dashboard charts, management review, ISO/IEC
 * 17021-1 §9.11): how overdue actions are aged, what "days to close" sums up to, what an on-time
 * rate counts, and which months a period spans. The repository hands over counts grouped by day;
 * these functions turn them into what the charts and tables show. Pure: `today` is passed in.
 */

export type AgeingBucketKey = '0-7' | '8-30' | '31-90' | '90+';

export interface AgeingBucket {
	key: AgeingBucketKey;
	/** Days overdue, inclusive; `to` null for the open-ended last bucket. */
	from: number;
	to: number | null;
}

/** The ageing bands of overdue corrective actions, as the issue names them. */
export const AGEING_BUCKETS: readonly AgeingBucket[] = [
	{ key: '0-7', from: 0, to: 7 },
	{ key: '8-30', from: 8, to: 30 },
	{ key: '31-90', from: 31, to: 90 },
	{ key: '90+', from: 91, to: null }
];

/** The bucket a number of days overdue falls in (negative days are not overdue: none). */
export function ageingBucketOf(daysOverdue: number): AgeingBucket | null {
	if (!Number.isInteger(daysOverdue) || daysOverdue < 0) return null;
	return (
		AGEING_BUCKETS.find(
			(bucket) => daysOverdue >= bucket.from && (bucket.to === null || daysOverdue <= bucket.to)
		) ?? null
	);
}

export interface DayCount {
	days: number;
	count: number;
}

/** Overdue findings counted per day overdue, summed into the ageing bands (every band, even empty). */
export function ageOverdue(rows: readonly DayCount[]): { bucket: AgeingBucket; count: number }[] {
	const counts = new Map<AgeingBucketKey, number>(AGEING_BUCKETS.map((b) => [b.key, 0]));
	for (const row of rows) {
		const bucket = ageingBucketOf(row.days);
		if (bucket) counts.set(bucket.key, counts.get(bucket.key)! + row.count);
	}
	return AGEING_BUCKETS.map((bucket) => ({ bucket, count: counts.get(bucket.key)! }));
}

/**
 * The due dates of a band's findings on `today`: d days overdue means due on today − d, so the
 * band [from, to] is due from today − to up to today − from (the finding list's due filters).
 */
export function dueRangeOfBucket(
	bucket: AgeingBucket,
	today: string
): { dueFrom: string | null; dueTo: string } {
	return {
		dueFrom: bucket.to === null ? null : addDays(today, -bucket.to),
		dueTo: addDays(today, -bucket.from)
	};
}

export interface CloseTimes {
	/** How many findings closed. */
	count: number;
	/** Mean days from raised to closed, to one decimal; null when none closed. */
	mean: number | null;
	/** The 90th percentile (nearest rank: 90 % closed within this many days); null when none. */
	p90: number | null;
}

/**
 * Mean and 90th percentile of days to close, from counts per number of days. Nearest-rank
 * percentile: the smallest day count within which at least 90 % of the findings closed, so the
 * figure is always a duration some finding actually took.
 */
export function closeTimes(rows: readonly DayCount[]): CloseTimes {
	const sorted = [...rows].filter((row) => row.count > 0).sort((a, b) => a.days - b.days);
	const count = sorted.reduce((sum, row) => sum + row.count, 0);
	if (count === 0) return { count: 0, mean: null, p90: null };
	const total = sorted.reduce((sum, row) => sum + row.days * row.count, 0);
	const rank = Math.ceil(0.9 * count);
	let seen = 0;
	let p90 = sorted.at(-1)!.days;
	for (const row of sorted) {
		seen += row.count;
		if (seen >= rank) {
			p90 = row.days;
			break;
		}
	}
	return { count, mean: Math.round((total / count) * 10) / 10, p90 };
}

export interface DueOutcomes {
	/** Closed on or before the due date. */
	closedOnTime: number;
	/** Closed after the due date. */
	closedLate: number;
	/** Not closed and past the due date today: already late, whenever it closes. */
	openOverdue: number;
}

/**
 * The share of nonconformities met on time: of those whose due date has come (closed ones, and
 * open ones already past due), how many closed by it. An open one not yet due counts neither way.
 * A percentage to one decimal, or null when nothing has fallen due.
 */
export function onTimeRate(outcomes: DueOutcomes): number | null {
	const due = outcomes.closedOnTime + outcomes.closedLate + outcomes.openOverdue;
	if (due === 0) return null;
	return Math.round((outcomes.closedOnTime / due) * 1000) / 10;
}

/** The months (`YYYY-MM`) a period of dates touches, in order. */
export function monthsOf(from: string, to: string): string[] {
	const months: string[] = [];
	let year = Number(from.slice(0, 4));
	let month = Number(from.slice(5, 7));
	const last = to.slice(0, 7);
	for (;;) {
		const key = `${year}-${String(month).padStart(2, '0')}`;
		if (key > last) break;
		months.push(key);
		month += 1;
		if (month === 13) {
			month = 1;
			year += 1;
		}
	}
	return months;
}

export interface MonthCount {
	month: string;
	count: number;
}

/** Evaluations planned and done per month of the period, every month present (zero when none). */
export function monthlyEvaluations(
	months: readonly string[],
	planned: readonly MonthCount[],
	done: readonly MonthCount[]
): { month: string; planned: number; done: number }[] {
	const plannedBy = new Map(planned.map((row) => [row.month, row.count]));
	const doneBy = new Map(done.map((row) => [row.month, row.count]));
	return months.map((month) => ({
		month,
		planned: plannedBy.get(month) ?? 0,
		done: doneBy.get(month) ?? 0
	}));
}

/** The longest period the figures cover at once: five years, so a chart stays readable. */
export const MAX_PERIOD_MONTHS = 60;

/** The period the figures show when none is chosen: the last twelve months, up to today. */
export function defaultPeriod(today: string): { from: string; to: string } {
	let year = Number(today.slice(0, 4));
	let month = Number(today.slice(5, 7)) - 11;
	if (month < 1) {
		month += 12;
		year -= 1;
	}
	return { from: `${year}-${String(month).padStart(2, '0')}-01`, to: today };
}

/** Whether a period is one the figures take: in order, and no longer than the maximum. */
export function periodProblem(from: string, to: string): 'order' | 'length' | null {
	if (from > to) return 'order';
	if (monthsOf(from, to).length > MAX_PERIOD_MONTHS) return 'length';
	return null;
}
