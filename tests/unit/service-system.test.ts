import { describe, expect, it } from 'vitest';
import {
	measurementPeriodOf,
	measurementRefusal,
	objectiveMet
} from '../../src/lib/server/domain/service-system';

/* The service objectives' rules (issue 12 item 5): met or not by the target, and the periods. */

describe('objectiveMet', () => {
	it('meets "at least" at the target and above, not below', () => {
		expect(objectiveMet('at_least', 95, 95)).toBe(true);
		expect(objectiveMet('at_least', 95, 99.9)).toBe(true);
		expect(objectiveMet('at_least', 95, 94.9999)).toBe(false);
	});

	it('meets "at most" at the target and below, not above', () => {
		expect(objectiveMet('at_most', 4, 4)).toBe(true);
		expect(objectiveMet('at_most', 4, 0)).toBe(true);
		expect(objectiveMet('at_most', 4, 4.0001)).toBe(false);
	});

	it('compares at the columns’ four decimals, not in binary fractions', () => {
		expect(objectiveMet('at_most', 0.3, 0.1 + 0.2)).toBe(true);
		expect(objectiveMet('at_least', 0.3, 0.1 + 0.2)).toBe(true);
	});

	it('handles negative targets and values (a change, a balance)', () => {
		expect(objectiveMet('at_most', -5, -6)).toBe(true);
		expect(objectiveMet('at_least', -5, -6)).toBe(false);
	});
});

describe('measurementPeriodOf', () => {
	it('takes the calendar month, with its last day', () => {
		expect(measurementPeriodOf('monthly', '2026-02-17')).toEqual({
			start: '2026-02-01',
			end: '2026-02-28'
		});
		expect(measurementPeriodOf('monthly', '2028-02-01')).toEqual({
			start: '2028-02-01',
			end: '2028-02-29'
		});
		expect(measurementPeriodOf('monthly', '2026-12-31')).toEqual({
			start: '2026-12-01',
			end: '2026-12-31'
		});
	});

	it('takes the calendar quarter', () => {
		expect(measurementPeriodOf('quarterly', '2026-01-01')).toEqual({
			start: '2026-01-01',
			end: '2026-03-31'
		});
		expect(measurementPeriodOf('quarterly', '2026-06-30')).toEqual({
			start: '2026-04-01',
			end: '2026-06-30'
		});
		expect(measurementPeriodOf('quarterly', '2026-11-15')).toEqual({
			start: '2026-10-01',
			end: '2026-12-31'
		});
	});

	it('takes the calendar year', () => {
		expect(measurementPeriodOf('yearly', '2026-07-04')).toEqual({
			start: '2026-01-01',
			end: '2026-12-31'
		});
	});
});

describe('measurementRefusal', () => {
	it('refuses a period not begun yet, and takes the current or a past one', () => {
		expect(measurementRefusal('monthly', '2026-12-01', '2026-11-30')).toBe(
			'service_error_period_future'
		);
		expect(measurementRefusal('monthly', '2026-11-30', '2026-11-01')).toBeNull();
		expect(measurementRefusal('quarterly', '2026-12-31', '2026-10-01')).toBeNull();
		expect(measurementRefusal('yearly', '2027-01-01', '2026-12-31')).toBe(
			'service_error_period_future'
		);
		expect(measurementRefusal('yearly', '2020-05-05', '2026-12-31')).toBeNull();
	});
});
