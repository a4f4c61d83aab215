/*
 * Calendar days as 'YYYY-MM-DD' strings. Deadlines are days in the tenant's time zone ("due on
 * the 2nd" means the 2nd in Asia/Shanghai), so arithmetic never goes through local instants.
 */

import { dateTimeFormat } from '../../date-format';

export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isIsoDate(value: string): boolean {
	const match = ISO_DATE.exec(value);
	if (!match) return false;
	const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
	return date.toISOString().slice(0, 10) === value;
}

function parse(iso: IsoDate): Date {
	if (!isIsoDate(iso)) throw new RangeError(`not a calendar date: ${iso}`);
	return new Date(`${iso}T00:00:00Z`);
}

function format(date: Date): IsoDate {
	return date.toISOString().slice(0, 10);
}

/** The calendar day it is at `now` in `timeZone`. */
export function todayInZone(now: Date, timeZone: string): IsoDate {
	// en-CA formats as YYYY-MM-DD.
	return dateTimeFormat('en-CA', {
		timeZone,
		year: 'numeric',
		month: '2-digit',
		day: '2-digit'
	}).format(now);
}

export function addDays(iso: IsoDate, days: number): IsoDate {
	const date = parse(iso);
	date.setUTCDate(date.getUTCDate() + days);
	return format(date);
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
	return Math.round((parse(to).getTime() - parse(from).getTime()) / 86_400_000);
}
