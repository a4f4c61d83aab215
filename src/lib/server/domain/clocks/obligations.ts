import { addDays, addMonths, type IsoDate } from '../calendar';
import { daysBefore, latestStage, type DueStage } from './stages';

/*
 * Recurring obligations (issue 7 §3): "monthly on day N of the next month", "weekly on weekday W
 * of the next week", "quarterly on day N of the next quarter's first month". Each period of the
 * rule has one due item, due in the period after it.
 */

export type Cadence = 'weekly' | 'monthly' | 'quarterly';

export interface ObligationRule {
	cadence: Cadence;
	/** weekly: ISO weekday 1–7; monthly/quarterly: day of the month 1–31 (clamped to its end). */
	dueDay: number;
	startsOn: IsoDate;
}

export interface ObligationPeriod {
	periodStart: IsoDate;
	periodEnd: IsoDate;
	dueOn: IsoDate;
}

export const OBLIGATION_REMINDER_DAYS = [3, 0];

function isoWeekday(iso: IsoDate): number {
	const day = new Date(`${iso}T00:00:00Z`).getUTCDay();
	return day === 0 ? 7 : day;
}

function dayOfMonth(monthStart: IsoDate, day: number): IsoDate {
	// addMonths clamps: the N-th of a month that has fewer days is its last day.
	const lastDay = addDays(addMonths(monthStart, 1), -1);
	const wanted = `${monthStart.slice(0, 8)}${String(day).padStart(2, '0')}`;
	return day > Number(lastDay.slice(8)) ? lastDay : wanted;
}

/** The period of `rule` that contains `day`. */
export function periodContaining(rule: ObligationRule, day: IsoDate): ObligationPeriod {
	if (rule.cadence === 'weekly') {
		const periodStart = addDays(day, 1 - isoWeekday(day));
		const periodEnd = addDays(periodStart, 6);
		return { periodStart, periodEnd, dueOn: addDays(periodStart, 7 + rule.dueDay - 1) };
	}
	const months = rule.cadence === 'monthly' ? 1 : 3;
	const month = Number(day.slice(5, 7));
	const firstMonth = rule.cadence === 'monthly' ? month : month - ((month - 1) % 3);
	const periodStart = `${day.slice(0, 4)}-${String(firstMonth).padStart(2, '0')}-01`;
	const next = addMonths(periodStart, months);
	return { periodStart, periodEnd: addDays(next, -1), dueOn: dayOfMonth(next, rule.dueDay) };
}

/**
 * The due items that should exist on `today`: the current period's and the previous one's (whose
 * due date falls in the current period), from the rule's start on.
 */
export function periodsToGenerate(rule: ObligationRule, today: IsoDate): ObligationPeriod[] {
	const current = periodContaining(rule, today);
	const previous = periodContaining(rule, addDays(current.periodStart, -1));
	return [previous, current].filter((period) => period.periodEnd >= rule.startsOn);
}

/** The reminder due now for an unfulfilled item: 3 days before, on the day, then weekly overdue. */
export function obligationReminderStage(dueOn: IsoDate, today: IsoDate): DueStage | null {
	return latestStage(dueOn, today, daysBefore(dueOn, OBLIGATION_REMINDER_DAYS), {
		weeklyOverdue: true
	});
}
