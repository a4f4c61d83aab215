import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import ical, { type VEvent } from 'node-ical';
import { buildApp, startBuiltApp, type RunningServer } from '../support/server';
import {
	BrowserPeople,
	launchBrowser,
	open as openPage,
	seriousViolations
} from '../support/browser';
import { LISHUNJIE } from '../../db/seed/demo-data';

/*
 * Issue 11 item 3 in Chromium on the demo world: the month grid and the agenda in both
 * languages, the filters, an event opening its page, a phone's agenda by default, axe-core with
 * no serious or critical violation, and the secret feed address made, fetched (parsed by
 * node-ical) and revoked. Screenshots at 1280 and 390 px go to /tmp/shots-calendar.
 */

const SHOTS = '/tmp/shots-calendar';
describe('the calendar in Chromium', () => {
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

	const signedIn = (email: string, locale: 'zh-CN' | 'en', width = 1280) =>
		people.signIn(email, { locale, width, context: { bypassCSP: true } });
	const open = (page: Page, path: string) => openPage(page, path, { status: 200 });

	/** The events a view shows, as their links. */
	const eventLinks = (page: Page, view: 'month' | 'agenda') =>
		page.$$eval(`[data-testid="calendar-${view}-view"] a[data-kind]`, (links) =>
			links.map((a) => ({ href: a.getAttribute('href')!, kind: a.getAttribute('data-kind')! }))
		);

	/** The demo's dates are counted from today; the month with the nonconformity due in a week. */
	async function monthWithEvents(page: Page, view: 'month' | 'agenda') {
		for (let step = 0; step < 3; step += 1) {
			if ((await eventLinks(page, view)).length > 0) return;
			await page.getByTestId('calendar-next').click();
			await page.waitForURL(/month=/);
			await page.waitForSelector('body[data-hydrated]');
		}
		throw new Error('no month with events');
	}

	for (const locale of ['zh-CN', 'en'] as const)
		it(`shows the month grid and the agenda, with a legend in words (${locale})`, async () => {
			const page = await signedIn('admin@demo.test', locale);
			await open(page, '/calendar');
			expect(await page.getAttribute('html', 'lang')).toBe(locale);
			// The navigation offers it.
			expect(await page.locator('header a[href="/calendar"]').count()).toBeGreaterThan(0);
			// Without a chosen view, a wide screen shows the grid.
			await expect.poll(() => page.getByTestId('calendar-month-view').isVisible()).toBe(true);
			expect(await page.getByTestId('calendar-agenda-view').isVisible()).toBe(false);
			const legend = await page.getByTestId('calendar-legend').locator('li').allTextContents();
			expect(legend).toHaveLength(5);
			for (const entry of legend) expect(entry.trim().length).toBeGreaterThan(3);
			await monthWithEvents(page, 'month');
			const month = await page.getByTestId('calendar-month').textContent();
			expect(month).toMatch(locale === 'en' ? /[A-Z][a-z]+ \d{4}/ : /\d{4}年\d{1,2}月/);
			expect(await seriousViolations(page)).toEqual([]);
			await page.screenshot({ path: `${SHOTS}/month-${locale}-1280.png`, fullPage: true });

			await page.getByTestId('view-agenda').click();
			await page.waitForURL(/view=agenda/);
			await page.waitForSelector('body[data-hydrated]');
			expect(await page.getByTestId('calendar-month-view').count()).toBe(0);
			const agenda = await eventLinks(page, 'agenda');
			expect(agenda.length).toBeGreaterThan(0);
			// Each row names its kind in words beside the colour.
			const firstRow = await page
				.locator('[data-testid="calendar-agenda-view"] li')
				.first()
				.textContent();
			expect(firstRow?.trim().length).toBeGreaterThan(5);
			expect(await seriousViolations(page)).toEqual([]);
			await page.screenshot({ path: `${SHOTS}/agenda-${locale}-1280.png`, fullPage: true });

			// Previous and next month keep the view.
			await page.getByTestId('calendar-previous').click();
			await page.waitForURL(/view=agenda/);
			expect(page.url()).toMatch(/month=\d{4}-\d{2}/);
			await page.context().close();
		});

	it('filters by organisation (search as you type) and by evaluator', async () => {
		const page = await signedIn('admin@demo.test', 'en');
		await open(page, '/calendar?view=agenda');
		await monthWithEvents(page, 'agenda');
		const all = await eventLinks(page, 'agenda');

		await page.fill('#orgname', '立顺捷');
		await page.waitForSelector('[role="option"]');
		await page.locator('[role="option"]', { hasText: LISHUNJIE }).first().click();
		await page.getByTestId('calendar-filters').locator('button[type="submit"]').click();
		await page.waitForURL(/organisation=/);
		await page.waitForSelector('body[data-hydrated]');
		const rows = await page.locator('[data-testid="calendar-agenda-view"] li').allTextContents();
		expect(rows.length).toBeGreaterThan(0);
		for (const row of rows) expect(row).toContain(LISHUNJIE);

		// The evaluator filter: the demo evaluator (李华) leads the demo's evaluations.
		await page.selectOption('#filter-evaluator', { label: '李华' });
		await page.getByTestId('calendar-filters').locator('button[type="submit"]').click();
		await page.waitForURL(/evaluator=/);
		await page.waitForSelector('body[data-hydrated]');
		const mine = await eventLinks(page, 'agenda');
		expect(mine.length).toBeLessThanOrEqual(all.length);
		expect(await seriousViolations(page)).toEqual([]);
		await page.screenshot({ path: `${SHOTS}/filtered-en-1280.png`, fullPage: true });
		await page.context().close();
	});

	it('opens the page of the event clicked', async () => {
		const page = await signedIn('evaluator@demo.test', 'zh-CN');
		await open(page, '/calendar?view=month');
		await monthWithEvents(page, 'month');
		const [first] = await eventLinks(page, 'month');
		await page
			.locator(`[data-testid="calendar-month-view"] a[href="${first!.href}"]`)
			.first()
			.click();
		await page.waitForURL((url) => url.pathname === first!.href);
		await page.waitForSelector('body[data-hydrated]');
		expect(await page.locator('h1').first().isVisible()).toBe(true);
		await page.context().close();
	});

	it('opens on the agenda on a phone, without sideways scrolling', async () => {
		for (const [email, locale] of [
			['org@demo.test', 'zh-CN'],
			['admin@demo.test', 'en']
		] as const) {
			const page = await signedIn(email, locale, 390);
			await open(page, '/calendar');
			await expect.poll(() => page.getByTestId('calendar-agenda-view').isVisible()).toBe(true);
			expect(await page.getByTestId('calendar-month-view').isVisible()).toBe(false);
			await monthWithEvents(page, 'agenda');
			const width = await page.evaluate(() => document.documentElement.scrollWidth);
			expect(width).toBeLessThanOrEqual(390);
			expect(await seriousViolations(page)).toEqual([]);
			await page.screenshot({
				path: `${SHOTS}/agenda-${locale}-390-${email.split('@')[0]}.png`,
				fullPage: true
			});
			// The month grid, when chosen, still fits.
			await page.getByTestId('view-month').click();
			await page.waitForURL(/view=month/);
			await page.waitForSelector('body[data-hydrated]');
			expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
				390
			);
			await page.screenshot({ path: `${SHOTS}/month-${locale}-390.png`, fullPage: true });
			await page.context().close();
		}
	});

	it('makes a secret feed address, which a calendar can read until it is revoked', async () => {
		const page = await signedIn('evaluator@demo.test', 'en');
		await open(page, '/calendar');
		await page.getByTestId('feed-create').click();
		const input = page.getByTestId('feed-url');
		await input.waitFor();
		const url = await input.inputValue();
		expect(url).toMatch(new RegExp(`^${server.origin}/calendar/feed/[A-Za-z0-9_-]{43}\\.ics$`));
		await page.getByTestId('calendar-feed').screenshot({ path: `${SHOTS}/feed-en-1280.png` });
		expect(await seriousViolations(page)).toEqual([]);

		// Fetched without any cookie, as a calendar app would.
		const answer = await fetch(url);
		expect(answer.status).toBe(200);
		expect(answer.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
		const events = Object.values(ical.sync.parseICS(await answer.text())).filter(
			(component): component is VEvent => component?.type === 'VEVENT'
		);
		expect(events.length).toBeGreaterThan(0);
		for (const event of events) {
			expect(event.start.dateOnly).toBe(true);
			expect(event.uid).toMatch(/@127\.0\.0\.1:\d+$/);
		}

		// A reload does not show the address again; revoking stops the feed.
		await open(page, '/calendar');
		expect(await page.getByTestId('feed-url').count()).toBe(0);
		await page.getByTestId('feed-revoke').click();
		await page.waitForSelector('[data-testid="calendar-feed"] .alert');
		expect((await fetch(url)).status).toBe(404);
		await page.context().close();
	});
});
