import { describe, it, expect } from 'vitest';
import {
	addDays,
	addMonths,
	daysBetween,
	isIsoDate,
	todayInZone
} from '../../src/lib/server/domain/calendar';

describe('isIsoDate', () => {
	it.each([
		'2026-01-01',
		'2026-12-31',
		'2026-02-28',
		'2028-02-29',
		'2000-02-29',
		'2026-04-30',
		'1999-12-31',
		'9999-12-31'
	])('accepts %s', (value) => {
		expect(isIsoDate(value)).toBe(true);
	});

	it.each([
		['30 February', '2026-02-30'],
		['29 February in a common year', '2026-02-29'],
		['29 February in a century year that is not a leap year', '2100-02-29'],
		['31 April', '2026-04-31'],
		['month 13', '2026-13-01'],
		['month 00', '2026-00-10'],
		['day 00', '2026-01-00'],
		['day 32', '2026-01-32'],
		['unpadded month and day', '2026-1-1'],
		['unpadded day', '2026-01-1'],
		['a two-digit year', '26-01-01'],
		['a five-digit year', '12026-01-01'],
		['slashes', '2026/01/01'],
		['no separators', '20260101'],
		['a date-time', '2026-01-01T00:00:00Z'],
		['a trailing space', '2026-01-01 '],
		['a leading space', ' 2026-01-01'],
		['a trailing newline', '2026-01-01\n'],
		['the empty string', ''],
		['day-month-year order', '01-01-2026'],
		['full-width digits', '２０２６-01-01']
	])('rejects %s (%j)', (_label, value) => {
		expect(isIsoDate(value)).toBe(false);
	});
});

describe('todayInZone', () => {
	const instant = new Date('2026-11-26T17:00:00Z');

	it('is the next day in Asia/Shanghai (UTC+8) late in the UTC day', () => {
		expect(todayInZone(instant, 'Asia/Shanghai')).toBe('2026-11-27');
	});

	it('is the UTC date in UTC', () => {
		expect(todayInZone(instant, 'UTC')).toBe('2026-11-26');
	});

	it('is the previous day west of UTC early in the UTC day', () => {
		expect(todayInZone(new Date('2026-11-27T03:00:00Z'), 'America/New_York')).toBe('2026-11-26');
	});

	it('changes exactly at local midnight in Asia/Shanghai (16:00 UTC)', () => {
		expect(todayInZone(new Date('2026-11-26T15:59:59.999Z'), 'Asia/Shanghai')).toBe('2026-11-26');
		expect(todayInZone(new Date('2026-11-26T16:00:00.000Z'), 'Asia/Shanghai')).toBe('2026-11-27');
	});

	it('crosses a year end by zone', () => {
		const newYearsEveUtc = new Date('2026-12-31T20:00:00Z');
		expect(todayInZone(newYearsEveUtc, 'UTC')).toBe('2026-12-31');
		expect(todayInZone(newYearsEveUtc, 'Asia/Shanghai')).toBe('2027-01-01');
	});

	it('returns a well-formed ISO date', () => {
		for (const zone of ['UTC', 'Asia/Shanghai', 'Europe/Berlin', 'Pacific/Kiritimati']) {
			expect(isIsoDate(todayInZone(instant, zone))).toBe(true);
		}
	});

	it('rejects an unknown time zone', () => {
		expect(() => todayInZone(instant, 'Mars/Olympus_Mons')).toThrow(RangeError);
	});
});

describe('addDays', () => {
	it.each([
		['2026-01-01', 0, '2026-01-01'],
		['2026-01-01', 1, '2026-01-02'],
		['2026-01-31', 1, '2026-02-01'],
		['2026-02-28', 1, '2026-03-01'],
		['2028-02-28', 1, '2028-02-29'],
		['2028-02-29', 1, '2028-03-01'],
		['2026-12-31', 1, '2027-01-01'],
		['2027-01-01', -1, '2026-12-31'],
		['2026-03-01', -1, '2026-02-28'],
		['2028-03-01', -1, '2028-02-29'],
		['2026-01-01', 365, '2027-01-01'],
		['2028-01-01', 365, '2028-12-31'],
		['2028-01-01', 366, '2029-01-01'],
		['2026-11-26', 30, '2026-12-26'],
		['2026-11-26', 90, '2027-02-24'],
		['2026-03-28', 2, '2026-03-30'],
		['2026-10-24', 2, '2026-10-26']
	])('%s + %i days = %s', (from, days, expected) => {
		expect(addDays(from, days)).toBe(expected);
	});

	it('throws RangeError for an invalid date', () => {
		expect(() => addDays('2026-02-30', 1)).toThrow(RangeError);
		expect(() => addDays('2026-1-1', 1)).toThrow(RangeError);
	});

	it('is inverted by adding the negative', () => {
		for (const days of [1, 27, 59, 365, 1000]) {
			expect(addDays(addDays('2026-11-26', days), -days)).toBe('2026-11-26');
		}
	});
});

describe('addMonths', () => {
	it.each([
		['2026-01-15', 1, '2026-02-15'],
		['2026-01-31', 1, '2026-02-28'],
		['2028-01-31', 1, '2028-02-29'],
		['2026-01-30', 1, '2026-02-28'],
		['2026-03-31', 1, '2026-04-30'],
		['2026-05-31', 1, '2026-06-30'],
		['2026-08-31', 1, '2026-09-30'],
		['2026-01-31', 2, '2026-03-31'],
		['2026-12-15', 1, '2027-01-15'],
		['2026-12-31', 2, '2027-02-28'],
		['2026-11-30', 3, '2027-02-28'],
		['2026-01-01', 12, '2027-01-01'],
		['2028-02-29', 12, '2029-02-28'],
		['2028-02-29', 48, '2032-02-29'],
		['2026-01-31', 36, '2029-01-31'],
		['2026-11-26', 36, '2029-11-26'],
		['2027-02-28', 36, '2030-02-28'],
		['2025-02-28', 36, '2028-02-28'],
		['2026-11-26', 0, '2026-11-26'],
		['2026-03-31', -1, '2026-02-28'],
		['2028-03-31', -1, '2028-02-29'],
		['2026-01-15', -1, '2025-12-15'],
		['2029-11-26', -36, '2026-11-26']
	])('%s + %i months = %s', (from, months, expected) => {
		expect(addMonths(from, months)).toBe(expected);
	});

	it('does not carry the clamped day into later months (each call starts from its input)', () => {
		expect(addMonths(addMonths('2026-01-31', 1), 1)).toBe('2026-03-28');
		expect(addMonths('2026-01-31', 2)).toBe('2026-03-31');
	});

	it('throws RangeError for an invalid date', () => {
		expect(() => addMonths('2026-02-30', 1)).toThrow(RangeError);
		expect(() => addMonths('', 1)).toThrow(RangeError);
	});
});

describe('daysBetween', () => {
	it.each([
		['2026-11-26', '2026-11-26', 0],
		['2026-11-26', '2026-11-27', 1],
		['2026-11-27', '2026-11-26', -1],
		['2026-01-31', '2026-03-01', 29],
		['2028-01-31', '2028-03-01', 30],
		['2026-12-31', '2027-01-01', 1],
		['2026-01-01', '2027-01-01', 365],
		['2028-01-01', '2029-01-01', 366],
		['2026-11-26', '2029-11-26', 1096],
		['2026-03-28', '2026-03-30', 2],
		['2026-10-24', '2026-10-26', 2]
	])('from %s to %s is %i days', (from, to, expected) => {
		expect(daysBetween(from, to)).toBe(expected);
	});

	it('is antisymmetric', () => {
		expect(daysBetween('2026-01-01', '2027-06-15')).toBe(-daysBetween('2027-06-15', '2026-01-01'));
	});

	it('agrees with addDays', () => {
		for (const days of [-400, -31, -1, 0, 1, 28, 29, 365, 366, 1000]) {
			expect(daysBetween('2027-12-31', addDays('2027-12-31', days))).toBe(days);
		}
	});

	it('throws RangeError for an invalid date', () => {
		expect(() => daysBetween('2026-02-30', '2026-03-01')).toThrow(RangeError);
		expect(() => daysBetween('2026-03-01', '2026-13-01')).toThrow(RangeError);
	});
});
