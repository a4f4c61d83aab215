import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildApp, startBuiltApp, type RunningServer } from '../support/server';
import {
	BrowserPeople,
	launchBrowser,
	open,
	seriousViolations,
	type Violation
} from '../support/browser';

/*
 * Issue 10, "what people expect every day": every page reachable from the navigation passes
 * axe-core with no serious or critical violation, for each demo role, in both languages. The
 * pages are the ones the header offers the person (read from the page, so a new menu entry is
 * checked without editing this list), plus the first detail page each list links to.
 */

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

describe('accessibility (axe-core in Chromium)', () => {
	let server: RunningServer;
	let browser: Browser;
	let sessions: BrowserPeople;

	beforeAll(async () => {
		buildApp();
		server = await startBuiltApp();
		browser = await launchBrowser();
		sessions = new BrowserPeople(browser, server.origin);
	}, 300_000);

	afterAll(async () => {
		await sessions?.close();
		await browser?.close();
		await server?.stop();
	});

	// The audit script is injected through the DevTools protocol; bypassing the CSP here lets
	// axe evaluate the page without weakening the policy the product serves.
	const signedIn = (email: string, locale: 'zh-CN' | 'en') =>
		sessions.signIn(email, { locale, width: 1280, context: { bypassCSP: true } });

	/** Opens `path` and answers axe's serious and critical violations. */
	async function audit(page: Page, path: string): Promise<Violation[]> {
		await open(page, path, { status: 'ok', timeout: 15_000 });
		return seriousViolations(page);
	}

	/** The pages the header links to, as paths. */
	async function navigation(page: Page): Promise<string[]> {
		await page.goto(`${server.origin}/dashboard`);
		await page.waitForSelector('body[data-hydrated]');
		const hrefs = await page.$$eval('header a[href]', (links) =>
			links.map((a) => a.getAttribute('href') ?? '')
		);
		return [...new Set(hrefs.filter((href) => /^\/[a-z-]*$/.test(href)))];
	}

	async function firstDetail(page: Page): Promise<string | null> {
		const hrefs = await page.$$eval('main a[href]', (links) =>
			links.map((a) => a.getAttribute('href'))
		);
		return hrefs.find((href) => href && new RegExp(`^/[a-z-]+/${UUID}$`).test(href)) ?? null;
	}

	const people = [
		'admin@demo.test',
		'evaluator@demo.test',
		'decider@demo.test',
		'org@demo.test',
		'admin@other.test'
	];

	it.each(
		people.flatMap((email) => (['zh-CN', 'en'] as const).map((locale) => [email, locale] as const))
	)(
		'%s (%s): every page of the navigation has no serious or critical violation',
		async (email, locale) => {
			const page = await signedIn(email, locale);
			const paths = await navigation(page);
			expect(paths.length).toBeGreaterThan(2);
			const found: Record<string, Violation[]> = {};
			const details = new Set<string>();
			for (const path of paths) {
				const violations = await audit(page, path);
				if (violations.length) found[path] = violations;
				const detail = await firstDetail(page);
				if (detail) details.add(detail);
			}
			for (const detail of details) {
				const violations = await audit(page, detail);
				if (violations.length) found[detail] = violations;
			}
			expect(found).toEqual({});
			await page.context().close();
		},
		240_000
	);
});
