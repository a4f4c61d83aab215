/*
 * The calendar's events (issue 11 item 3): the dates the body and its organisations work to,
 * each a day or a span of days in the tenant's zone, and the month a page shows. Pure: the
 * service reads the rows, these rules shape them.
 */

import { addDays, addMonths, isIsoDate, type IsoDate } from './calendar';

/** The kinds of date, in the order a day lists them. */
export const CALENDAR_EVENT_KINDS = [
	'evaluation',
	'surveillance',
	'certificate_expiry',
	'nonconformity',
	'obligation'
] as const;

export type CalendarEventKind = (typeof CALENDAR_EVENT_KINDS)[number];

export interface CalendarEvent {
	kind: CalendarEventKind;
	/** The row the date belongs to (evaluation, certificate, finding, obligation due item). */
	id: string;
	/** First day; `end` is the last day, included (a one-day event has start = end). */
	start: IsoDate;
	end: IsoDate;
	/** What names the thing: a reference, a certificate number, an obligation's title. */
	subject: string;
	/** The same in English where the thing has a name per language (an obligation's title). */
	subjectEn?: string;
	organisationName: string;
	/** The page the event opens, from the site's root. */
	href: string;
	/** Further words for the title: an evaluation's kind, a nonconformity's grade. */
	detail: string | null;
}

/** A month as `YYYY-MM`. */
export type IsoMonth = string;

const ISO_MONTH = /^(\d{4})-(\d{2})$/;

export function isIsoMonth(value: string): boolean {
	return ISO_MONTH.test(value) && isIsoDate(`${value}-01`);
}

export function monthOf(day: IsoDate): IsoMonth {
	return day.slice(0, 7);
}

export function shiftMonth(month: IsoMonth, months: number): IsoMonth {
	return monthOf(addMonths(`${month}-01`, months));
}

/** Monday 0 … Sunday 6 of a day (weeks start on Monday in China, GB/T 7408). */
export function weekdayOf(day: IsoDate): number {
	return (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
}

/**
 * The days a month's grid shows: whole weeks, Monday to Sunday, from the week of the 1st to the
 * week of the last day (five or six rows).
 */
export function monthGrid(month: IsoMonth): { from: IsoDate; to: IsoDate; weeks: IsoDate[][] } {
	const first = `${month}-01`;
	const last = addDays(addMonths(first, 1), -1);
	const from = addDays(first, -weekdayOf(first));
	const to = addDays(last, 6 - weekdayOf(last));
	const weeks: IsoDate[][] = [];
	for (let day = from; day <= to; day = addDays(day, 7))
		weeks.push(Array.from({ length: 7 }, (_, i) => addDays(day, i)));
	return { from, to, weeks };
}

/** The longest range one calendar request reads: a feed's year and a half, a page's six weeks. */
export const MAX_RANGE_DAYS = 550;

/** Events in the order a list shows them: by first day, then kind, then what they name. */
export function sortEvents(events: CalendarEvent[]): CalendarEvent[] {
	const rank = (kind: CalendarEventKind) => CALENDAR_EVENT_KINDS.indexOf(kind);
	return [...events].sort(
		(a, b) =>
			a.start.localeCompare(b.start) ||
			rank(a.kind) - rank(b.kind) ||
			a.subject.localeCompare(b.subject) ||
			a.id.localeCompare(b.id)
	);
}

/** The events on one day (an evaluation's window covers each of its days). */
export function eventsOn(events: readonly CalendarEvent[], day: IsoDate): CalendarEvent[] {
	return events.filter((event) => event.start <= day && day <= event.end);
}

/**
 * An iCalendar UID that stays the same while the event does (RFC 5545 §3.8.4.7): a calendar
 * that fetches the feed again updates the event instead of adding a second one. A moved date
 * is another event (the old one disappears from the feed).
 */
export function eventUid(event: Pick<CalendarEvent, 'kind' | 'id' | 'start'>, host: string) {
	return `${event.kind}-${event.id}-${event.start.replaceAll('-', '')}@${host}`;
}
