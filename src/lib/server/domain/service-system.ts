import type { ObjectiveDirection, ObjectivePeriod } from '../../../../db/schema';
import { addDays, addMonths, type IsoDate } from './calendar';

/*
 * The rules of an organisation's service objectives (GB/T 27922 §4.1.2; the seed: "目标应尽可能
 * 量化，并做到可分解、可考核"): whether a measured value meets its target, and which measurement
 * period a day falls in. Pure: no clock, no database.
 */

/**
 * Whether `value` meets `target` in `direction`: "at least 95 %" is met by 95 and above, "at most
 * 4 hours" by 4 and below (the target itself meets it, as "≥" and "≤" read). Values are compared
 * at the columns' four decimals, so 0.1 + 0.2 meets "at most 0.3".
 */
export function objectiveMet(
	direction: ObjectiveDirection,
	target: number,
	value: number
): boolean {
	const scaled = (n: number) => Math.round(n * 10_000);
	return direction === 'at_least'
		? scaled(value) >= scaled(target)
		: scaled(value) <= scaled(target);
}

export interface MeasurementPeriod {
	start: IsoDate;
	end: IsoDate;
}

const MONTHS_OF: Record<ObjectivePeriod, number> = { monthly: 1, quarterly: 3, yearly: 12 };

/** The measurement period of the kind `period` that `day` falls in (calendar months, quarters, years). */
export function measurementPeriodOf(period: ObjectivePeriod, day: IsoDate): MeasurementPeriod {
	const year = Number(day.slice(0, 4));
	const month = Number(day.slice(5, 7));
	const months = MONTHS_OF[period];
	const firstMonth = Math.floor((month - 1) / months) * months + 1;
	const start = `${String(year).padStart(4, '0')}-${String(firstMonth).padStart(2, '0')}-01`;
	return { start, end: addDays(addMonths(start, months), -1) };
}

/**
 * Why a measurement for the period containing `day` may not be recorded on `today`, or null: a
 * period not yet begun has nothing to measure.
 */
export function measurementRefusal(
	period: ObjectivePeriod,
	day: IsoDate,
	today: IsoDate
): 'service_error_period_future' | null {
	return measurementPeriodOf(period, day).start > today ? 'service_error_period_future' : null;
}
