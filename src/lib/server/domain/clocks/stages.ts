import { addDays, addMonths, daysBetween, type IsoDate } from '../calendar';

/*
 * A clock is a due date and the stages around it. Each stage has the day it falls on; a sweep
 * on `today` fires the latest stage whose day has come (so a sweep that missed a day — a stopped
 * worker, a finding raised three days before its due date — still sends one reminder, never a
 * burst of stale ones). Whether it already fired is the database's business (the reminders key).
 */

export interface StageSpec {
	stage: string;
	on: IsoDate;
}

export interface DueStage {
	stage: string;
	/** The day the stage falls on. */
	on: IsoDate;
	/** The due date the stage belongs to: part of the reminder's unique key. */
	dueOn: IsoDate;
}

/** Stages `days` before (negative: after) the due date. */
export function daysBefore(dueOn: IsoDate, days: number[]): StageSpec[] {
	return days.map((d) => ({ stage: d === 0 ? 'on_day' : `before_${d}d`, on: addDays(dueOn, -d) }));
}

export function monthsBefore(dueOn: IsoDate, months: number[]): StageSpec[] {
	return months.map((m) => ({ stage: `before_${m}m`, on: addMonths(dueOn, -m) }));
}

/** The weekly overdue stage reached on `today`: `overdue_7d`, `overdue_14d` … or none yet. */
export function weeklyOverdue(dueOn: IsoDate, today: IsoDate): StageSpec | null {
	const late = daysBetween(dueOn, today);
	if (late < 7) return null;
	const weeks = Math.floor(late / 7);
	return { stage: `overdue_${weeks * 7}d`, on: addDays(dueOn, weeks * 7) };
}

/** The latest of `specs` (plus the weekly overdue stage, when asked) whose day has come. */
export function latestStage(
	dueOn: IsoDate,
	today: IsoDate,
	specs: StageSpec[],
	options: { weeklyOverdue?: boolean } = {}
): DueStage | null {
	const candidates = specs.filter((spec) => spec.on <= today);
	if (options.weeklyOverdue) {
		const overdue = weeklyOverdue(dueOn, today);
		if (overdue) candidates.push(overdue);
	}
	if (candidates.length === 0) return null;
	const latest = candidates.reduce((a, b) => (b.on > a.on ? b : a));
	return { stage: latest.stage, on: latest.on, dueOn };
}

/** A one-off stage on `on` (and every later day until it fired), for actions that happen once. */
export function onceFrom(
	stage: string,
	dueOn: IsoDate,
	on: IsoDate,
	today: IsoDate
): DueStage | null {
	return on <= today ? { stage, on, dueOn } : null;
}
