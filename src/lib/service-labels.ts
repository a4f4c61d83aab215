import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';

/* Display names of the service system's enumerations (issue 12 item 5), in the current language. */

const kinds: Record<string, () => string> = {
	service_commitment: m.service_kind_service_commitment,
	work_order_rule: m.service_kind_work_order_rule
};
const units: Record<string, () => string> = {
	minutes: m.service_unit_minutes,
	hours: m.service_unit_hours,
	days: m.service_unit_days
};
const directions: Record<string, () => string> = {
	at_least: m.service_direction_at_least,
	at_most: m.service_direction_at_most
};
const periods: Record<string, () => string> = {
	monthly: m.service_period_monthly,
	quarterly: m.service_period_quarterly,
	yearly: m.service_period_yearly
};
const scopes: Record<string, () => string> = {
	minor_repair: m.service_scope_minor_repair,
	maintenance: m.service_scope_maintenance,
	spare_parts: m.service_scope_spare_parts,
	installation: m.service_scope_installation,
	home_visit: m.service_scope_home_visit
};

export const commitmentKindLabel = (kind: string) => kinds[kind]?.() ?? kind;
export const limitUnitLabel = (unit: string) => units[unit]?.() ?? unit;
export const directionLabel = (direction: string) => directions[direction]?.() ?? direction;
export const periodLabel = (period: string) => periods[period]?.() ?? period;
export const scopeLabel = (scope: string) => scopes[scope]?.() ?? scope;

/** "4 小时内" / "within 4 hours", or "no limit". */
export function limitLabel(value: number | null, unit: string | null): string {
	if (value === null || unit === null) return m.service_limit_none();
	return m.service_limit_value({ value, unit: limitUnitLabel(unit) });
}

/** "不低于 95 %" / "at least 95 %". */
export function targetLabel(direction: string, value: number, unit: string): string {
	return m.service_target_value({ direction: directionLabel(direction), value, unit });
}

/** The text in the reader's language: the English one when there is one and they read English. */
export function localText(zh: string, en: string): string {
	return getLocale() === 'en' && en ? en : zh;
}
