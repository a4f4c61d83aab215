import type { Handle, HandleServerError, ServerInit } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { AsyncLocalStorage } from 'node:async_hooks';
import { overwriteServerAsyncLocalStorage } from '$lib/paraglide/runtime';
import { exitOnFatalErrors, runtimeApp, startRuntime, stopWebOnSignals } from '$lib/server/runtime';
import { resolveActing, validateSessionToken } from '$lib/server/services/sessions';
import {
	clearSessionCookie,
	LOCALE_COOKIE,
	SESSION_COOKIE,
	setSessionCookie
} from '$lib/server/auth/cookies';
import { asLocale, translate } from '$lib/server/i18n/translate';
import { isCrossSite } from '$lib/server/http/same-origin';
import { settleUnreadBody } from '$lib/server/http/unread-body';
import { TRPC_ENDPOINT } from '$lib/server/trpc/handler';
import { startInlineWorkers } from '../jobs/worker';
import { closeProducer, nudgeDeliveryAfterCommit } from '../jobs/enqueue';
import { isDatabaseUnavailable } from '$lib/server/db/unavailable';

export const init: ServerInit = async () => {
	exitOnFatalErrors('web');
	const app = await startRuntime();
	const workers = app.config.inlineWorkers ? startInlineWorkers(app) : null;
	nudgeDeliveryAfterCommit(app);
	// A bounded stop on SIGTERM/SIGINT, whatever is down (src/lib/server/runtime.ts).
	stopWebOnSignals(app, { workers, closeProducer: () => closeProducer(app) });
};

/** Requests that failed because the database was unreachable: answered 503, not 500. */
const unreachable = new WeakSet<Request>();

function requestLocale(event: Parameters<Handle>[0]['event']) {
	return event.locals.locale ?? asLocale(event.cookies.get(LOCALE_COOKIE)) ?? 'zh-CN';
}

export const handleError: HandleServerError = ({ error, event, message }) => {
	if (isDatabaseUnavailable(error)) {
		unreachable.add(event.request);
		console.error(`${event.request.method} ${event.url.pathname}: database unavailable:`, error);
		return { message: translate('error_database_unavailable', requestLocale(event)) };
	}
	console.error(error);
	return { message };
};

/**
 * A dropped or unreachable database (a restart, terminated connections, a pool that stays busy
 * past DB_CONNECT_TIMEOUT_MS) gives 503 with Retry-After, whether it failed in a hook (the
 * session lookup) or in a page, action or endpoint.
 */
const handleUnavailable: Handle = async ({ event, resolve }) => {
	let response: Response;
	try {
		response = await resolve(event);
	} catch (error) {
		if (!isDatabaseUnavailable(error)) throw error;
		console.error(`${event.request.method} ${event.url.pathname}: database unavailable:`, error);
		const message = translate('error_database_unavailable', requestLocale(event));
		return event.url.pathname.startsWith('/api/')
			? new Response(JSON.stringify({ error: { message, code: 'SERVICE_UNAVAILABLE' } }), {
					status: 503,
					headers: { 'content-type': 'application/json', 'retry-after': '2' }
				})
			: new Response(message, {
					status: 503,
					headers: { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '2' }
				});
	}
	if (response.status !== 500 || !unreachable.has(event.request)) return response;
	const headers = new Headers(response.headers);
	headers.set('retry-after', '2');
	return new Response(response.body, { status: 503, headers });
};

/** CSRF: every changing request — form action, upload, tRPC — passes the same origin rule. */
const handleOrigin: Handle = ({ event, resolve }) => {
	if (!isCrossSite(event.request, event.url.origin)) return resolve(event);
	const locale = asLocale(event.cookies.get(LOCALE_COOKIE)) ?? 'zh-CN';
	const message = translate('error_cross_site', locale);
	const wantsJson =
		event.url.pathname.startsWith('/api/') ||
		(event.request.headers.get('accept') ?? '').includes('application/json');
	return wantsJson
		? new Response(JSON.stringify({ error: { message, code: 'FORBIDDEN' } }), {
				status: 403,
				headers: { 'content-type': 'application/json' }
			})
		: new Response(message, {
				status: 403,
				headers: { 'content-type': 'text/plain; charset=utf-8' }
			});
};

/** Methods that change nothing: their whole request may share the session check's transaction. */
const READING = new Set(['GET', 'HEAD']);

/**
 * The session and the acting membership, checked in the request's one transaction (issue 9
 * item 1). A reading request's work joins that transaction and it commits once the answer is
 * ready; a changing request commits it before its work, so the work's own transaction commits
 * (with its audit and outbox rows) whatever happens later — and an upload never holds one open
 * while its body streams in.
 */
const handleSession: Handle = async ({ event, resolve }) => {
	const app = await runtimeApp();
	event.locals.person = null;
	event.locals.actor = null;
	event.locals.membershipCount = 0;
	event.locals.unreadNotifications = 0;
	return app.db.inRequest(async () => {
		const token = event.cookies.get(SESSION_COOKIE);
		if (token) {
			const person = await validateSessionToken(app.db, token, app.sessionPolicy);
			if (!person) clearSessionCookie(event.cookies);
			else {
				setSessionCookie(event.cookies, token, person.expiresAt, app.config.secureCookies);
				event.locals.person = person;
				event.locals.membershipCount = person.membershipCount;
				const acting = await resolveActing(app.db, person);
				event.locals.actor = acting.actor;
				event.locals.unreadNotifications = acting.unreadNotifications;
			}
		}
		if (!READING.has(event.request.method)) await app.db.endRequestTransaction();
		return resolve(event);
	});
};

type LocaleStore = { locale: string; origin: string; messageCalls: Set<string> };
const localeStorage = new AsyncLocalStorage<LocaleStore>();
overwriteServerAsyncLocalStorage(localeStorage as never);

/**
 * The language: the person's explicit choice (cookie, then their saved preference), else the
 * tenant's default, else Chinese. Messages rendered in this request read it from the store.
 */
const handleLocale: Handle = ({ event, resolve }) => {
	const locale =
		asLocale(event.cookies.get(LOCALE_COOKIE)) ??
		event.locals.person?.locale ??
		event.locals.actor?.tenant.defaultLocale ??
		'zh-CN';
	event.locals.locale = locale;
	return localeStorage.run({ locale, origin: event.url.origin, messageCalls: new Set() }, () =>
		resolve(event, {
			transformPageChunk: ({ html }) => html.replace('%paraglide.lang%', locale)
		})
	);
};

/** What every answer without a policy of its own gets: no framing, no content to run. */
const FALLBACK_CSP = "default-src 'none'; frame-ancestors 'none'";
const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * Security headers (issue 8 item 19) on every answer. Pages carry SvelteKit's CSP (kit.csp in
 * svelte.config.js); other answers get a deny-all one unless they set their own, as evidence
 * downloads do (services/evidence.ts), whose headers are left as they are. Signed-in pages and
 * tRPC answers are never stored by a browser or proxy. HSTS only when the public ORIGIN is https.
 */
const handleSecurityHeaders: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	const app = await runtimeApp();
	const headers: Record<string, string> = {
		'x-content-type-options': 'nosniff',
		'referrer-policy': 'strict-origin-when-cross-origin',
		'x-frame-options': 'DENY',
		'content-security-policy': FALLBACK_CSP
	};
	if (event.locals.person || event.url.pathname.startsWith(TRPC_ENDPOINT))
		headers['cache-control'] = 'no-store';
	if (app.config.secureCookies) headers['strict-transport-security'] = HSTS;
	let answer = response;
	for (const [name, value] of Object.entries(headers)) {
		if (answer.headers.has(name)) continue;
		try {
			answer.headers.set(name, value);
		} catch {
			// A response with immutable headers (one passed through from fetch): copy it once.
			answer = new Response(answer.body, answer);
			answer.headers.set(name, value);
		}
	}
	return answer;
};

/** An answer given without reading the request's body leaves its connection usable (http/unread-body.ts). */
const handleUnreadBody: Handle = async ({ event, resolve }) =>
	settleUnreadBody(event.request, await resolve(event));

export const handle = sequence(
	handleUnreadBody,
	handleSecurityHeaders,
	handleUnavailable,
	handleOrigin,
	handleSession,
	handleLocale
);
