import { error, type RequestEvent } from '@sveltejs/kit';
import type { App } from '../app';
import { createAddressLimiter, type AddressLimiter } from '../auth/rate-limit';
import { VERIFY_POLICY } from '../domain/login-throttle';
import type { z } from 'zod';
import type { Locale } from '../../../../db/schema';
import { translate } from '../i18n/translate';
import { fieldErrors } from '../i18n/field-errors';

/*
 * The per-address limit of the public verification pages, counted like sign-in attempts
 * (auth/rate-limit.ts: Redis when up, shared by every web process; this process otherwise).
 */

const limiters = new WeakMap<App, AddressLimiter>();

function limiterOf(app: App): AddressLimiter {
	let limiter = limiters.get(app);
	if (!limiter) {
		limiter = createAddressLimiter({
			redis: app.redis,
			prefix: app.config.redisPrefix,
			name: 'verify',
			policy: VERIFY_POLICY
		});
		limiters.set(app, limiter);
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
export async function publicRefusal(app: App, event: RequestEvent) {
	const verdict = await limiterOf(app).hit(clientAddress(event));
	if (verdict.kind === 'allow') return null;
	const seconds = verdict.retryAfterSeconds;
	return {
		seconds,
		message: translate('verify_rate_limited', event.locals.locale ?? 'zh-CN', { seconds })
	};
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
