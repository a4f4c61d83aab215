import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
	chromium,
	type Browser,
	type BrowserContext,
	type BrowserContextOptions,
	type Page
} from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { DEMO_PASSWORD } from './http';
import { buildApp, startBuiltApp, type RunningServer } from './server';

export { DEMO_PASSWORD };

/** Debian's Chromium, headless; the flags keep it off the (closed) network. */
export function launchBrowser(): Promise<Browser> {
	return chromium.launch({
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		args: [
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--no-first-run'
		]
	});
}

export interface PersonOptions {
	/** The PARAGLIDE_LOCALE cookie; null sets none (the body's default language). */
	locale?: string | null;
	/** The viewport's width (and height, 900 unless given); no width keeps Playwright's 1280×720. */
	width?: number;
	height?: number;
	/** Every wait's timeout, so that a broken step does not hold the later ones long. */
	timeout?: number;
	/** Further context options: bypassCSP (to inject axe), acceptDownloads, timezoneId, headers. */
	context?: BrowserContextOptions;
}

export interface SignInOptions extends PersonOptions {
	password?: string;
	/** Where signing in lands: on the dashboard, or anywhere but /login (the default). */
	landing?: 'dashboard' | 'away';
	/** On /choose-tenant (a person of several bodies), chooses the first body. */
	chooseFirstBody?: boolean;
	/** Waits for the landing page to hydrate too. */
	hydrated?: boolean;
}

/**
 * The people of one browser test file, each in a context of their own on the built app at
 * `origin` (the context's base URL, so that `open` takes paths). `close` in afterAll closes the
 * contexts the tests left open.
 */
export class BrowserPeople {
	readonly #contexts: BrowserContext[] = [];
	constructor(
		readonly browser: Browser,
		readonly origin: string
	) {}

	/** A new context's page, not signed in. */
	async page(options: PersonOptions = {}): Promise<Page> {
		const context = await this.browser.newContext({
			baseURL: this.origin,
			...(options.width === undefined
				? {}
				: { viewport: { width: options.width, height: options.height ?? 900 } }),
			...options.context
		});
		this.#contexts.push(context);
		const locale = options.locale === undefined ? 'en' : options.locale;
		if (locale !== null)
			await context.addCookies([{ name: 'PARAGLIDE_LOCALE', value: locale, url: this.origin }]);
		if (options.timeout !== undefined) context.setDefaultTimeout(options.timeout);
		return context.newPage();
	}

	/** A new context's page, signed in as `email` through the login form. */
	async signIn(email: string, options: SignInOptions = {}): Promise<Page> {
		const page = await this.page(options);
		await fillSignIn(page, this.origin, email, options.password);
		if (options.landing === 'dashboard') await page.waitForURL('**/dashboard');
		else await page.waitForURL((url) => url.pathname !== '/login');
		if (options.chooseFirstBody && new URL(page.url()).pathname === '/choose-tenant') {
			await page.waitForSelector('body[data-hydrated]');
			await page.locator('main form:not([action]) button[type=submit]').first().click();
			await page.waitForURL((url) => url.pathname !== '/choose-tenant');
		}
		if (options.hydrated) await page.waitForSelector('body[data-hydrated]');
		return page;
	}

	async close(): Promise<void> {
		for (const context of this.#contexts) await context.close().catch(() => {});
	}
}

export interface BrowserSuite {
	server: RunningServer;
	browser: Browser;
	people: BrowserPeople;
}

/**
 * One test file's built app (started with `env`), browser and people: started in beforeAll
 * (within `timeout`, which may include the build), stopped in afterAll. Read its fields in the
 * tests, once beforeAll has run.
 */
export function browserSuite(
	env: Record<string, string | undefined> = {},
	timeout = 300_000
): BrowserSuite {
	const suite = {} as BrowserSuite;
	beforeAll(async () => {
		buildApp();
		suite.server = await startBuiltApp(env);
		suite.browser = await launchBrowser();
		suite.people = new BrowserPeople(suite.browser, suite.server.origin);
	}, timeout);
	afterAll(async () => {
		await suite.people?.close();
		await suite.browser?.close();
		await suite.server?.stop();
	});
	return suite;
}

/** Opens the login page and submits `email` and `password` (where it lands is the caller's). */
export async function fillSignIn(
	page: Page,
	origin: string,
	email: string,
	password = DEMO_PASSWORD
) {
	await page.goto(`${origin}/login`);
	await page.waitForSelector('body[data-hydrated]');
	await page.fill('#email', email);
	await page.fill('#password', password);
	await page.press('#password', 'Enter');
}

/**
 * Opens `path` (on the context's base URL) and waits until it is interactive; with `status`,
 * the answer must be that status (`'ok'`: below 400).
 */
export async function open(
	page: Page,
	path: string,
	options: { status?: number | 'ok'; timeout?: number } = {}
) {
	const answer = await page.goto(path);
	if (options.status === 'ok') expect(answer?.status(), path).toBeLessThan(400);
	else if (options.status !== undefined) expect(answer?.status(), path).toBe(options.status);
	await page.waitForSelector('body[data-hydrated]', { timeout: options.timeout });
	return answer;
}

/** axe-core's script, to inject into a page (whose context bypasses the CSP). */
export const AXE_SOURCE = readFileSync(
	createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
	'utf8'
);

/** Today in the demo body's time zone (Asia/Shanghai), as YYYY-MM-DD. */
export function todayInShanghai(): string {
	return new Intl.DateTimeFormat('en-CA', {
		timeZone: 'Asia/Shanghai',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit'
	}).format(new Date());
}

/** The UTC day `offset` days from now, as YYYY-MM-DD. */
export function utcDay(offset = 0): string {
	return new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
}

/*
 * The date arithmetic the tests expect, written again here rather than taken from the product's
 * calendar module, so that a fault there shows as a difference.
 */

export function addDays(isoDate: string, days: number): string {
	const date = new Date(`${isoDate}T00:00:00Z`);
	date.setUTCDate(date.getUTCDate() + days);
	return date.toISOString().slice(0, 10);
}

/** Calendar months, clamped to the month's last day (31 January + 1 month: end of February). */
export function addMonths(isoDate: string, months: number): string {
	const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
	const target = new Date(Date.UTC(y, m - 1 + months, 1));
	const last = new Date(
		Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)
	).getUTCDate();
	target.setUTCDate(Math.min(d, last));
	return target.toISOString().slice(0, 10);
}

export interface Violation {
	id: string;
	impact: string | null;
	help: string;
	targets: string[];
}

/**
 * axe-core's serious and critical violations on the open page, by the WCAG 2.1 A and AA rules
 * (`allRules`: by every rule axe has). Its context must bypass the CSP to inject the script.
 */
export async function seriousViolations(
	page: Page,
	options: { allRules?: boolean } = {}
): Promise<Violation[]> {
	await page.evaluate(AXE_SOURCE);
	const violations = await page.evaluate(async (allRules) => {
		const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
		const result = await axe.run(
			document,
			allRules
				? {}
				: { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }
		);
		return result.violations.map((v) => ({
			id: v.id,
			impact: v.impact ?? null,
			help: v.help,
			targets: v.nodes.slice(0, 3).map((n) => String(n.target))
		}));
	}, options.allRules ?? false);
	return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
