import type { Handle, ServerInit } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { AsyncLocalStorage } from 'node:async_hooks';
import { overwriteServerAsyncLocalStorage } from '$lib/paraglide/runtime';
import { runtimeApp, startRuntime } from '$lib/server/runtime';
import { resolveActing, validateSessionToken } from '$lib/server/services/sessions';
import {
	clearSessionCookie,
	LOCALE_COOKIE,
	SESSION_COOKIE,
	setSessionCookie
} from '$lib/server/auth/cookies';
import { asLocale, translate } from '$lib/server/i18n/translate';
import { isCrossSite } from '$lib/server/http/same-origin';
import { startInlineWorkers } from '../jobs/worker';
import { closeProducer, nudgeDeliveryAfterCommit } from '../jobs/enqueue';

export const init: ServerInit = async () => {
	const app = await startRuntime();
	const workers = app.config.inlineWorkers ? startInlineWorkers(app) : null;
	nudgeDeliveryAfterCommit(app);
	// adapter-node stops taking requests on SIGTERM/SIGINT, then emits this: let go of the
	// workers, Redis and the database so the process can exit.
	process.once('sveltekit:shutdown', async () => {
		await workers?.close();
		await closeProducer(app);
		await app.close();
	});
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

const handleSession: Handle = async ({ event, resolve }) => {
	const app = await runtimeApp();
	event.locals.person = null;
	event.locals.actor = null;
	event.locals.membershipCount = 0;
	event.locals.unreadNotifications = 0;
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
	return resolve(event);
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

export const handle = sequence(handleOrigin, handleSession, handleLocale);
