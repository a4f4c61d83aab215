import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { buildApp, startBuiltApp, type RunningServer } from '../support/server';
import { BrowserPeople, DEMO_PASSWORD, launchBrowser, seriousViolations } from '../support/browser';

/*
 * Issue 11 §1 and §5 in the browser: every demo role's dashboard shows its own queues; clicking a
 * count lands on that queue's list with as many rows as the count said. The header's search box
 * works as a plain form. Screenshots of each dashboard (1280 and 390 px, both languages) go to
 * /tmp/shots-queues.
 */

const SHOTS = '/tmp/shots-queues';
const ROLES = {
	admin: { email: 'admin@demo.test', sections: ['administer', 'evaluate'] },
	evaluator: { email: 'evaluator@demo.test', sections: ['evaluate'] },
	decider: { email: 'decider@demo.test', sections: ['decide'] },
	org: { email: 'org@demo.test', sections: ['organisation'] }
} as const;

describe('dashboard work queues', () => {
	let server: RunningServer;
	let browser: Browser;
	let people: BrowserPeople;

	beforeAll(async () => {
		mkdirSync(SHOTS, { recursive: true });
		buildApp();
		server = await startBuiltApp();
		browser = await launchBrowser();
		people = new BrowserPeople(browser, server.origin);
	}, 300_000);

	afterAll(async () => {
		await people?.close();
		await browser?.close();
		await server?.stop();
	});

	// Bypassing the CSP lets axe be injected; the pages themselves are served as always.
	const signedIn = (email: string, locale: string, width: number) =>
		people.signIn(email, {
			locale,
			width,
			context: { bypassCSP: true },
			landing: 'dashboard',
			hydrated: true
		});

	for (const [role, { email, sections }] of Object.entries(ROLES))
		it(`${role}: each dashboard count opens its list with that many rows`, async () => {
			const page = await signedIn(email, 'en', 1280);
			const shown = await page.$$eval('[data-testid^=queue-section-]', (nodes) =>
				nodes.map((node) => node.getAttribute('data-testid')!.replace('queue-section-', ''))
			);
			expect(shown).toEqual(sections);
			const counts = await page.$$eval('[data-testid^=queue-count-]', (links) =>
				links.map((link) => ({
					href: link.getAttribute('href')!,
					count: Number(link.querySelector('.value')!.textContent)
				}))
			);
			expect(counts.length).toBeGreaterThan(2);
			// The demo has something waiting for every role.
			expect(
				counts.some((c) => c.count > 0),
				role
			).toBe(true);
			for (const { href, count } of counts) {
				await page.goto(`${server.origin}/dashboard`);
				await page.click(`a[href="${href}"]`);
				await page.waitForURL(`**${href}`);
				const rows = await page.locator('[data-testid=queue-row]').count();
				expect(rows, href).toBe(Math.min(count, 50));
				expect(await page.textContent('[data-testid=list-total]'), href).toContain(String(count));
				await page.waitForSelector('body[data-hydrated]');
				expect(await seriousViolations(page), href).toEqual([]);
				if (count > 0)
					await page.screenshot({
						path: `${SHOTS}/queue-${role}${href.replaceAll('/', '-')}.png`,
						fullPage: true
					});
			}
			await page.context().close();
		}, 120_000);

	it('the header search is a plain form: certificate number to its result', async () => {
		const page = await signedIn('admin@demo.test', 'zh-CN', 1280);
		await page.fill('[data-testid=header-search]', 'DCB-27922');
		await page.press('[data-testid=header-search]', 'Enter');
		await page.waitForURL('**/search?q=DCB-27922');
		expect(await page.textContent('[data-testid=search-certificates]')).toContain(
			'DCB-27922-2025-0001'
		);
		await page.waitForSelector('body[data-hydrated]');
		expect(await seriousViolations(page)).toEqual([]);
		await page.screenshot({ path: `${SHOTS}/search-admin-zh-CN-1280.png`, fullPage: true });
		await page.context().close();
		// Without JavaScript the same form GETs the same page.
		const context = await browser.newContext({ javaScriptEnabled: false });
		const bare = await context.newPage();
		await bare.goto(`${server.origin}/login`);
		await bare.fill('#email', 'org@demo.test');
		await bare.fill('#password', DEMO_PASSWORD);
		await bare.press('#password', 'Enter');
		await bare.waitForURL('**/dashboard');
		await bare.fill('[data-testid=header-search]', 'DCB');
		await bare.press('[data-testid=header-search]', 'Enter');
		await bare.waitForURL('**/search?q=DCB');
		expect(await bare.textContent('[data-testid=search-certificates]')).toContain('DCB-27922');
		await context.close();
	}, 60_000);

	it('screenshots of every dashboard at 1280 and 390 px in both languages', async () => {
		for (const [role, { email }] of Object.entries(ROLES))
			for (const locale of ['zh-CN', 'en'])
				for (const width of [1280, 390]) {
					const page = await signedIn(email, locale, width);
					// Nothing runs off the side on a phone.
					const overflow = await page.evaluate(
						() => document.documentElement.scrollWidth - window.innerWidth
					);
					expect(overflow, `${role} ${locale} ${width}`).toBeLessThanOrEqual(0);
					await page.screenshot({
						path: `${SHOTS}/dashboard-${role}-${locale}-${width}.png`,
						fullPage: true
					});
					await page.context().close();
				}
	}, 180_000);
});
