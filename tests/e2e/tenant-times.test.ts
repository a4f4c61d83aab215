import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { buildApp, startBuiltApp, type RunningServer } from '../support/server';
import { launchBrowser } from '../support/browser';

/*
 * Issue 10 defect 3: times are shown in the tenant's zone (the demo's Asia/Shanghai) by the
 * server and by the browser alike, so hydration changes no time, even in a browser whose own
 * zone is another (New York here, UTC on the server).
 */

const PASSWORD = 'demo-password-2026';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** Lines that hold a time of day ("07:49", "7:49 AM"). */
const TIME = /\d{1,2}:\d{2}/;

describe('times in the tenant zone, before and after hydration', () => {
	let server: RunningServer;
	let browser: Browser;
	let context: BrowserContext;

	beforeAll(async () => {
		buildApp();
		server = await startBuiltApp();
		browser = await launchBrowser();
		context = await browser.newContext({ timezoneId: 'America/New_York' });
		const page = await context.newPage();
		await page.goto(`${server.origin}/login`);
		await page.waitForSelector('body[data-hydrated]');
		await page.fill('#email', 'admin@demo.test');
		await page.fill('#password', PASSWORD);
		await page.press('#password', 'Enter');
		await page.waitForURL((url) => url.pathname !== '/login');
		await page.close();
	}, 300_000);

	afterAll(async () => {
		await browser?.close();
		await server?.stop();
	});

	/** The first detail page a list links to. */
	async function firstDetail(list: string): Promise<string> {
		const html = await (
			await fetch(`${server.origin}${list}`, {
				headers: { cookie: (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ') }
			})
		).text();
		const match = new RegExp(`href="(${list}/${UUID})"`).exec(html);
		expect(match, list).not.toBeNull();
		return match![1]!;
	}

	it.each([['/evaluations'], ['/certificates']])(
		'%s: a detail page shows the same times as served and as hydrated',
		async (list) => {
			const path = await firstDetail(list);
			const page = await context.newPage();
			// What the server rendered, before any script ran.
			await page.route('**/_app/immutable/**/*.js', (route) => route.abort());
			await page.goto(`${server.origin}${path}`);
			const served = (await page.locator('main').innerText())
				.split('\n')
				.filter((l) => TIME.test(l));
			await page.unrouteAll();
			await page.goto(`${server.origin}${path}`);
			await page.waitForSelector('body[data-hydrated]');
			const hydrated = (await page.locator('main').innerText())
				.split('\n')
				.filter((l) => TIME.test(l));
			expect(served.length).toBeGreaterThan(0);
			expect(hydrated).toEqual(served);
			await page.close();
		},
		60_000
	);
});
