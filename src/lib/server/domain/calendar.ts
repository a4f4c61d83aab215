/*
 * Calendar days as 'YYYY-MM-DD' strings. Deadlines are days in the tenant's time zone ("due on
 * the 2nd" means the 2nd in Asia/Shanghai), so arithmetic never goes through local instants.
 */

import { dateTimeFormat } from '../../date-format';

export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/**
 * UTC midnight of `value` in milliseconds, NaN when it is not a calendar date. Arithmetic on
 * numbers, not Date strings: a sweep computes ten dates for each of 100,000 findings. Years
 * before 100 are refused (Date.UTC reads them as 19xx).
 */
function utcMidnight(value: string): number {
	const match = ISO_DATE.exec(value);
	if (!match) return NaN;
	const year = Number(match[1]);
	const month = Number(match[2]);
	const day = Number(match[3]);
	if (year < 100 || month < 1 || month > 12 || day < 1) return NaN;
	const ms = Date.UTC(year, month - 1, day);
	// A day past the month's end rolls into the next month.
	if (day > 28 && new Date(ms).getUTCDate() !== day) return NaN;
	return ms;
}

export function isIsoDate(value: string): boolean {
	return !Number.isNaN(utcMidnight(value));
}

function parseMs(iso: IsoDate): number {
	const ms = utcMidnight(iso);
	if (Number.isNaN(ms)) throw new RangeError(`not a calendar date: ${iso}`);
	return ms;
}

function parse(iso: IsoDate): Date {
	return new Date(parseMs(iso));
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

function formatMs(ms: number): IsoDate {
	const date = new Date(ms);
	return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}`;
}

function format(date: Date): IsoDate {
	return formatMs(date.getTime());
}

/** The calendar day it is at `now` in `timeZone`. */
export function todayInZone(now: Date, timeZone: string): IsoDate {
	// en-CA formats as YYYY-MM-DD; the formatter is built once per zone (date-format.ts).
	return dateTimeFormat('en-CA', {
		timeZone,
		year: 'numeric',
		month: '2-digit',
		day: '2-digit'
	}).format(now);
}

export function addDays(iso: IsoDate, days: number): IsoDate {
	// UTC has no daylight saving: a day is always 86,400,000 ms.
	return formatMs(parseMs(iso) + days * DAY_MS);
}

/** Adds calendar months, clamping to the month's last day (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(iso: IsoDate, months: number): IsoDate {
	const date = parse(iso);
	const day = date.getUTCDate();
	date.setUTCDate(1);
	date.setUTCMonth(date.getUTCMonth() + months);
	const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
	date.setUTCDate(Math.min(day, lastDay));
	return format(date);
}

export function daysBetween(from: IsoDate, to: IsoDate): number {
	return Math.round((parseMs(to) - parseMs(from)) / DAY_MS);
}
