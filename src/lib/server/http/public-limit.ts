import { error, type RequestEvent } from '@sveltejs/kit';
import type { App } from '../app';
import { createAddressLimiter, type AddressLimiter } from '../auth/rate-limit';
import { CALENDAR_FEED_POLICY, VERIFY_POLICY, type ThrottlePolicy } from '../domain/login-throttle';
import type { z } from 'zod';
import type { Locale } from '../../../../db/schema';
import { translate } from '../i18n/translate';
import { fieldErrors } from '../i18n/field-errors';

/*
 * The per-address limits of the pages anyone may fetch without a session: the public
 * verification pages and the calendar feeds, each counted like sign-in attempts
 * (auth/rate-limit.ts: Redis when up, shared by every web process; this process otherwise).
 */

const LIMITS = {
	verify: { policy: VERIFY_POLICY, message: 'verify_rate_limited' },
	'calendar-feed': { policy: CALENDAR_FEED_POLICY, message: 'calendar_feed_rate_limited' }
} as const satisfies Record<string, { policy: ThrottlePolicy; message: string }>;

type PublicLimit = keyof typeof LIMITS;

const limiters = new WeakMap<App, Map<PublicLimit, AddressLimiter>>();

function limiterOf(app: App, name: PublicLimit): AddressLimiter {
	let byName = limiters.get(app);
	if (!byName) {
		byName = new Map();
		limiters.set(app, byName);
	}
	let limiter = byName.get(name);
	if (!limiter) {
		limiter = createAddressLimiter({
			redis: app.redis,
			prefix: app.config.redisPrefix,
			name,
			policy: LIMITS[name].policy
		});
		byName.set(name, limiter);
	}
	return limiter;
}

export function clientAddress(event: RequestEvent): string {
	// As sign-in: a proxy header that is missing (ADDRESS_HEADER set) makes one shared count.
	try {
		return event.getClientAddress();
	} catch {
		return 'unknown';
	}
}

/** Null while under the limit; else the localized refusal and when to retry. */
export async function publicRefusal(app: App, event: RequestEvent, name: PublicLimit = 'verify') {
	const verdict = await limiterOf(app, name).hit(clientAddress(event));
	if (verdict.kind === 'allow') return null;
	const seconds = verdict.retryAfterSeconds;
	return {
		seconds,
		message: translate(LIMITS[name].message, event.locals.locale ?? 'zh-CN', { seconds })
	};
}

/**
 * For a calendar feed: null while under the limit, else the 429 itself. Plain text, not an error
 * page: the reader is a calendar app, which shows (at most) the text and honours Retry-After.
 */
export async function calendarFeedRefusal(app: App, event: RequestEvent): Promise<Response | null> {
	const refusal = await publicRefusal(app, event, 'calendar-feed');
	if (!refusal) return null;
	return new Response(refusal.message, {
		status: 429,
		headers: {
			'content-type': 'text/plain; charset=utf-8',
			'retry-after': String(refusal.seconds),
			'cache-control': 'no-store'
		}
	});
}

/** For a page load: a 429 with the localized message (and Retry-After) past the limit. */
export async function limitPublicPage(app: App, event: RequestEvent): Promise<void> {
	const refusal = await publicRefusal(app, event);
	if (!refusal) return;
	event.setHeaders({ 'retry-after': String(refusal.seconds) });
	error(429, refusal.message);
}

/** A public page's query through its schema; a bad value is a 400 with the field's message. */
export function publicQuery<S extends z.ZodType>(
	schema: S,
	raw: Record<string, string | undefined>,
	locale: Locale
): z.output<S> {
	const parsed = schema.safeParse(raw);
	if (parsed.success) return parsed.data;
	error(400, Object.values(fieldErrors(parsed.error, locale, {}, 1))[0] ?? 'Bad request');
}
