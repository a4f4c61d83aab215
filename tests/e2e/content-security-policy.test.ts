import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildApp, startBuiltApp, type RunningServer } from '../support/server';
import { launchBrowser } from '../support/browser';

/*
 * Issue 8 item 19: the CSP (kit.csp in svelte.config.js) must not break any page. Every page
 * below is opened in Chromium, signed in as the people who use it: it must hydrate (SvelteKit's
 * start-up script runs only with its nonce), and the browser must report no CSP violation.
 */

const PASSWORD = 'demo-password-2026';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

describe('content security policy in Chromium', () => {
	let server: RunningServer;
	let browser: Browser;

	beforeAll(async () => {
		buildApp();
		server = await startBuiltApp();
		browser = await launchBrowser();
	}, 300_000);

	afterAll(async () => {
		await browser?.close();
		await server?.stop();
	});

	/** A page that records every CSP violation and console error it sees. */
	async function watchedPage(): Promise<{ page: Page; problems: string[] }> {
		const page = await browser.newPage();
		const problems: string[] = [];
		page.on('console', (message) => {
			if (message.type() === 'error' || /Content Security Policy/i.test(message.text()))
				problems.push(`${page.url()}: ${message.text()}`);
		});
		page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.message}`));
		await page.addInitScript(() => {
			document.addEventListener('securitypolicyviolation', (event) =>
				console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`)
			);
		});
		return { page, problems };
	}

	async function signIn(page: Page, email: string) {
		await page.goto(`${server.origin}/login`);
		await page.waitForSelector('body[data-hydrated]');
		await page.fill('#email', email);
		await page.fill('#password', PASSWORD);
		await page.press('#password', 'Enter');
		await page.waitForURL((url) => url.pathname !== '/login');
	}

	/** Opens `path`, waits for hydration, and answers the first detail link the page holds. */
	async function visit(page: Page, path: string): Promise<string | null> {
		const answer = await page.goto(`${server.origin}${path}`);
		expect(answer?.status(), path).toBeLessThan(400);
		await page.waitForSelector('body[data-hydrated]', { timeout: 15_000 });
		const hrefs = await page.$$eval('a[href]', (links) => links.map((a) => a.getAttribute('href')));
		return hrefs.find((href) => href && new RegExp(`^/[a-z-]+/${UUID}$`).test(href)) ?? null;
	}

	it.each([
		[
			'admin@demo.test',
			[
				'/dashboard',
				'/findings',
				'/organisations',
				'/certificates',
				'/evaluations',
				'/catalogue',
				'/audit',
				'/people',
				'/notifications'
			]
		],
		['org@demo.test', ['/dashboard', '/my-actions', '/obligations', '/notifications']]
	])(
		'%s: every page hydrates with no CSP violation',
		async (email, paths) => {
			const { page, problems } = await watchedPage();
			await signIn(page, email);
			const details = new Set<string>();
			for (const path of paths) {
				const detail = await visit(page, path);
				if (detail) details.add(detail);
			}
			for (const detail of details) await visit(page, detail);
			expect(details.size).toBeGreaterThan(0);
			// Client-side navigation works too (the router is SvelteKit's hydrated script).
			await page.goto(`${server.origin}/dashboard`);
			await page.waitForSelector('body[data-hydrated]');
			expect(problems).toEqual([]);
			await page.close();
		},
		120_000
	);
});
