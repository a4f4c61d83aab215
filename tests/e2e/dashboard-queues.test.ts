import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildApp, startBuiltApp, type RunningServer } from '../support/server';
import { launchBrowser } from '../support/browser';

/*
 * Issue 11 §1 and §5 in the browser: every demo role's dashboard shows its own queues; clicking a
 * count lands on that queue's list with as many rows as the count said. The header's search box
 * works as a plain form. Screenshots of each dashboard (1280 and 390 px, both languages) go to
 * /tmp/shots-queues.
 */

const PASSWORD = 'demo-password-2026';
const SHOTS = '/tmp/shots-queues';
const AXE_SOURCE = readFileSync(
	createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
	'utf8'
);
const ROLES = {
	admin: { email: 'admin@demo.test', sections: ['administer', 'evaluate'] },
	evaluator: { email: 'evaluator@demo.test', sections: ['evaluate'] },
	decider: { email: 'decider@demo.test', sections: ['decide'] },
	org: { email: 'org@demo.test', sections: ['organisation'] }
} as const;

describe('dashboard work queues', () => {
	let server: RunningServer;
	let browser: Browser;

	beforeAll(async () => {
		mkdirSync(SHOTS, { recursive: true });
		buildApp();
		server = await startBuiltApp();
		browser = await launchBrowser();
	}, 300_000);

	afterAll(async () => {
		await browser?.close();
		await server?.stop();
	});

	async function signedIn(email: string, locale: string, width: number): Promise<Page> {
		// Bypassing the CSP lets axe be injected; the pages themselves are served as always.
		const context = await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true });
		await context.addCookies([{ name: 'PARAGLIDE_LOCALE', value: locale, url: server.origin }]);
		const page = await context.newPage();
		await page.goto(`${server.origin}/login`);
		await page.waitForSelector('body[data-hydrated]');
		await page.fill('#email', email);
		await page.fill('#password', PASSWORD);
		await page.press('#password', 'Enter');
		await page.waitForURL('**/dashboard');
		await page.waitForSelector('body[data-hydrated]');
		return page;
	}

	/** axe-core's serious and critical violations on the open page (as tests/e2e/accessibility.test.ts). */
	async function seriousViolations(page: Page): Promise<string[]> {
		await page.evaluate(AXE_SOURCE);
		return page.evaluate(async () => {
			const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
			const result = await axe.run(document, {
				runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }
			});
			return result.violations
				.filter((v) => v.impact === 'serious' || v.impact === 'critical')
				.map((v) => `${v.id}: ${v.nodes.map((n) => String(n.target)).join(', ')}`);
		});
	}

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
		await bare.fill('#password', PASSWORD);
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
