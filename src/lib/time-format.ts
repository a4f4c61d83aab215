import { page } from '$app/state';
import { getLocale } from '$lib/paraglide/runtime';

/*
 * Every time of day the pages show, in the tenant's time zone (issue 10 defect 3): the server
 * renders in UTC and a browser in its own zone, so without one zone a finding closed at 07:49 in
 * Shanghai read "23:49 the day before" on the server and changed on hydration. The zone comes
 * from the (app) layout's data (`timeZone`, the acting tenant's), the same on both sides.
 * Formatters are cached: building an Intl.DateTimeFormat costs ~100× formatting with one.
 */

/** Where no tenant is acting (sign-in pages): the demo bodies' and the tenants' default zone. */
export const FALLBACK_TIME_ZONE = 'Asia/Shanghai';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string, timeZone: string, options: Intl.DateTimeFormatOptions) {
	const key = `${locale}|${timeZone}|${JSON.stringify(options)}`;
	let found = formatters.get(key);
	if (!found) {
		found = new Intl.DateTimeFormat(locale, { ...options, timeZone });
		formatters.set(key, found);
	}
	return found;
}

/** The acting tenant's zone, from the page's data. */
export function pageTimeZone(): string {
	const zone = (page.data as { timeZone?: unknown } | undefined)?.timeZone;
	return typeof zone === 'string' && zone ? zone : FALLBACK_TIME_ZONE;
}

export interface TimeFormatOptions {
	timeZone?: string;
	locale?: string;
}

/** A date and time of day ("2026年12月2日 07:49"), in the tenant's zone unless told otherwise. */
export function formatDateTime(
	at: Date | string | null | undefined,
	options: TimeFormatOptions = {}
): string {
	if (!at) return '';
	return formatter(options.locale ?? getLocale(), options.timeZone ?? pageTimeZone(), {
		dateStyle: 'medium',
		timeStyle: 'short'
	}).format(new Date(at));
}

/** The calendar day of an instant in the tenant's zone ("2026年12月2日"). */
export function formatDayOf(
	at: Date | string | null | undefined,
	options: TimeFormatOptions = {}
): string {
	if (!at) return '';
	return formatter(options.locale ?? getLocale(), options.timeZone ?? pageTimeZone(), {
		dateStyle: 'medium'
	}).format(new Date(at));
}
