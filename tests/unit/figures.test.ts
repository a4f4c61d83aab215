import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
	AGEING_BUCKETS,
	ageOverdue,
	ageingBucketOf,
	closeTimes,
	defaultPeriod,
	dueRangeOfBucket,
	monthlyEvaluations,
	monthsOf,
	onTimeRate,
	periodProblem
} from '../../src/lib/server/domain/figures';
import { addDays, daysBetween } from '../../src/lib/server/domain/calendar';

describe('ageing of overdue actions', () => {
	it.each([
		[0, '0-7'],
		[1, '0-7'],
		[7, '0-7'],
		[8, '8-30'],
		[30, '8-30'],
		[31, '31-90'],
		[90, '31-90'],
		[91, '90+'],
		[5000, '90+']
	])('%i days overdue is in %s', (days, key) => {
		expect(ageingBucketOf(days)?.key).toBe(key);
	});

	it('puts no negative or fractional day in a band', () => {
		expect(ageingBucketOf(-1)).toBeNull();
		expect(ageingBucketOf(1.5)).toBeNull();
	});

	it('sums counts per day into every band, empty ones included', () => {
		const aged = ageOverdue([
			{ days: 3, count: 2 },
			{ days: 7, count: 1 },
			{ days: 8, count: 4 },
			{ days: 200, count: 1 },
			{ days: -2, count: 9 }
		]);
		expect(aged.map((a) => [a.bucket.key, a.count])).toEqual([
			['0-7', 3],
			['8-30', 4],
			['31-90', 0],
			['90+', 1]
		]);
	});

	it('gives each band the due dates whose findings it counts', () => {
		fc.assert(
			fc.property(fc.integer({ min: 0, max: 400 }), (days) => {
				const today = '2026-12-03';
				const due = addDays(today, -days);
				const bucket = ageingBucketOf(days)!;
				const range = dueRangeOfBucket(bucket, today);
				expect(due <= range.dueTo).toBe(true);
				if (range.dueFrom !== null) expect(due >= range.dueFrom).toBe(true);
				expect(daysBetween(due, today)).toBe(days);
			})
		);
		expect(dueRangeOfBucket(AGEING_BUCKETS[3]!, '2026-12-03')).toEqual({
			dueFrom: null,
			dueTo: '2026-09-03'
		});
	});
});

describe('days to close', () => {
	it('has no mean or p90 when nothing closed', () => {
		expect(closeTimes([])).toEqual({ count: 0, mean: null, p90: null });
		expect(closeTimes([{ days: 4, count: 0 }])).toEqual({ count: 0, mean: null, p90: null });
	});

	it('takes the nearest-rank 90th percentile and a mean to one decimal', () => {
		// 1..10 days, one each: rank ceil(9) = 9th value.
		const rows = Array.from({ length: 10 }, (_, i) => ({ days: i + 1, count: 1 }));
		expect(closeTimes(rows)).toEqual({ count: 10, mean: 5.5, p90: 9 });
		// Out of order and grouped: 19 × 2 days and 1 × 100 days: rank 18 falls among the twos.
		expect(
			closeTimes([
				{ days: 100, count: 1 },
				{ days: 2, count: 19 }
			])
		).toEqual({ count: 20, mean: 6.9, p90: 2 });
		expect(closeTimes([{ days: 12, count: 1 }])).toEqual({ count: 1, mean: 12, p90: 12 });
	});

	it('agrees with sorting every duration', () => {
		fc.assert(
			fc.property(
				fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 60 }),
				(durations) => {
					const counts = new Map<number, number>();
					for (const d of durations) counts.set(d, (counts.get(d) ?? 0) + 1);
					const rows = [...counts].map(([days, count]) => ({ days, count }));
					const sorted = [...durations].sort((a, b) => a - b);
					const result = closeTimes(rows);
					expect(result.count).toBe(durations.length);
					expect(result.p90).toBe(sorted[Math.ceil(0.9 * sorted.length) - 1]);
					const mean = durations.reduce((a, b) => a + b, 0) / durations.length;
					expect(Math.abs(result.mean! - mean)).toBeLessThanOrEqual(0.05 + 1e-9);
				}
			)
		);
	});
});

describe('on-time rate', () => {
	it('counts open overdue findings as late and open ones not yet due not at all', () => {
		expect(onTimeRate({ closedOnTime: 3, closedLate: 0, openOverdue: 1 })).toBe(75);
		expect(onTimeRate({ closedOnTime: 1, closedLate: 1, openOverdue: 1 })).toBe(33.3);
		expect(onTimeRate({ closedOnTime: 0, closedLate: 0, openOverdue: 0 })).toBeNull();
		expect(onTimeRate({ closedOnTime: 0, closedLate: 2, openOverdue: 0 })).toBe(0);
	});
});

describe('periods and months', () => {
	it('lists the months a period touches, across years', () => {
		expect(monthsOf('2025-11-15', '2026-02-01')).toEqual([
			'2025-11',
			'2025-12',
			'2026-01',
			'2026-02'
		]);
		expect(monthsOf('2026-03-01', '2026-03-31')).toEqual(['2026-03']);
	});

	it('fills every month of the period, zero where nothing happened', () => {
		expect(
			monthlyEvaluations(
				['2026-01', '2026-02', '2026-03'],
				[
					{ month: '2026-01', count: 2 },
					{ month: '2026-03', count: 1 }
				],
				[{ month: '2026-02', count: 4 }]
			)
		).toEqual([
			{ month: '2026-01', planned: 2, done: 0 },
			{ month: '2026-02', planned: 0, done: 4 },
			{ month: '2026-03', planned: 1, done: 0 }
		]);
	});

	it('defaults to the twelve months up to today', () => {
		expect(defaultPeriod('2026-12-03')).toEqual({ from: '2026-01-01', to: '2026-12-03' });
		expect(defaultPeriod('2026-03-31')).toEqual({ from: '2025-04-01', to: '2026-03-31' });
		expect(monthsOf(defaultPeriod('2026-03-31').from, '2026-03-31')).toHaveLength(12);
	});

	it('refuses a period backwards or longer than five years', () => {
		expect(periodProblem('2026-02-01', '2026-01-31')).toBe('order');
		expect(periodProblem('2021-01-01', '2025-12-31')).toBeNull();
		expect(periodProblem('2021-01-01', '2026-01-01')).toBe('length');
		expect(periodProblem('2026-01-01', '2026-01-01')).toBeNull();
	});
});
