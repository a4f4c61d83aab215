import { z } from 'zod';
import { blankAsUndefined, idWith, isoDate } from './common.schema';
import { daysBetween } from '../domain/calendar';
import { isIsoMonth, MAX_RANGE_DAYS } from '../domain/calendar-events';

/** The calendar's filter: one organisation, one evaluator (the body's staff only). */
const filter = {
	organisationId: blankAsUndefined(idWith('calendar_error_organisation').optional()),
	evaluatorId: blankAsUndefined(idWith('calendar_error_evaluator').optional())
};

/** The events of a range of days (tRPC `calendar.events`): at most MAX_RANGE_DAYS. */
export const calendarEventsInput = z
	.object({ from: isoDate(), to: isoDate(), ...filter })
	.refine((q) => q.from <= q.to && daysBetween(q.from, q.to) < MAX_RANGE_DAYS, {
		error: 'calendar_error_range',
		path: ['to']
	});

export type CalendarEventsInput = z.output<typeof calendarEventsInput>;

export const CALENDAR_VIEWS = ['month', 'agenda'] as const;

/** The page's address: `?view=agenda&month=2026-12&organisation=…&evaluator=…`. */
export const calendarPageInput = z.object({
	view: z.enum(CALENDAR_VIEWS, { error: 'calendar_error_view' }).optional(),
	month: z
		.string({ error: 'calendar_error_month' })
		.refine(isIsoMonth, { error: 'calendar_error_month' })
		.optional(),
	...filter
});

/** Revoking takes no input but the form's presence; making a new URL neither. */
export const calendarFeedInput = z.object({});
