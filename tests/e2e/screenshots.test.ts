import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildApp, startBuiltApp, type RunningServer } from '../support/server';
import { BrowserPeople, launchBrowser } from '../support/browser';

/*
 * Issue 10's test output: a PNG of every page the navigation offers, and the first detail page
 * of each list, for each demo person, in both languages, at 1366 px (a laptop) and 390 px (a
 * phone), under test-output/screenshots/<person>/<language>/. They are for people to look at,
 * not compared pixel by pixel: the test asserts only that each page answered 2xx and rendered
 * its main heading.
 */

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const OUTPUT = join(import.meta.dirname, '..', '..', 'test-output', 'screenshots');
const WIDTHS = [1366, 390] as const;
const PEOPLE = [
	'admin@demo.test',
	'evaluator@demo.test',
	'decider@demo.test',
	'org@demo.test',
	'multi@demo.test',
	'admin@other.test'
];
const LOCALES = ['zh-CN', 'en'] as const;
/** People photographed at once: enough to overlap the server's and the browser's work. */
const AT_ONCE = 3;

describe('screenshots of every page, for people to look at', () => {
	let server: RunningServer;
	let browser: Browser;
	let people: BrowserPeople;

	beforeAll(async () => {
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

	const signIn = (email: string, locale: string) =>
		people.signIn(email, { locale, width: WIDTHS[0], timeout: 15_000, chooseFirstBody: true });

	/** Opens a page and photographs it at each width; answers what went wrong, if anything. */
	async function photograph(page: Page, path: string, folder: string): Promise<string | null> {
		const answer = await page.goto(`${server.origin}${path}`);
		const status = answer?.status() ?? 0;
		if (status < 200 || status > 299) return `${path}: HTTP ${status}`;
		await page.waitForSelector('body[data-hydrated]');
		const heading = page.locator('main h1').first();
		if (!(await heading.count()) || !(await heading.innerText()).trim())
			return `${path}: no main heading`;
		const name = path.replace(/^\//, '').replace(/\//g, '_') || 'root';
		for (const width of WIDTHS) {
			await page.setViewportSize({ width, height: width > 800 ? 900 : 844 });
			await page.screenshot({
				path: join(folder, `${name}-${width}.png`),
				fullPage: true,
				type: 'png',
				animations: 'disabled'
			});
		}
		await page.setViewportSize({ width: WIDTHS[0], height: 900 });
		return null;
	}

	/** The pages of the header's navigation, as paths. */
	async function navigation(page: Page): Promise<string[]> {
		await page.goto(`${server.origin}/dashboard`);
		await page.waitForSelector('body[data-hydrated]');
		const hrefs = await page.$$eval('header a[href]', (links) =>
			links.map((a) => a.getAttribute('href') ?? '')
		);
		return [...new Set(hrefs.filter((href) => /^\/[a-z-]*$/.test(href)))];
	}

	/** The first page of `list`'s own details the list links to. */
	async function firstDetail(page: Page, list: string): Promise<string | null> {
		const hrefs = await page.$$eval('main a[href]', (links) =>
			links.map((a) => a.getAttribute('href') ?? '')
		);
		return hrefs.find((href) => new RegExp(`^${list}/${UUID}$`).test(href)) ?? null;
	}

	async function photographAll(email: string, locale: string) {
		const folder = join(OUTPUT, email, locale);
		mkdirSync(folder, { recursive: true });
		const page = await signIn(email, locale);
		const problems: string[] = [];
		let shots = 0;
		try {
			const paths = await navigation(page);
			expect(paths.length, email).toBeGreaterThan(2);
			const details: string[] = [];
			for (const path of paths) {
				const problem = await photograph(page, path, folder);
				if (problem) problems.push(problem);
				else shots++;
				const detail = problem ? null : await firstDetail(page, path);
				if (detail) details.push(detail);
			}
			for (const detail of details) {
				const problem = await photograph(page, detail, folder);
				if (problem) problems.push(problem);
				else shots++;
			}
		} finally {
			await page.context().close();
		}
		return { problems, shots };
	}

	it('saves a PNG of every page at 1366 and 390 px for each person and language; each answered 2xx with its main heading', async () => {
		const jobs = PEOPLE.flatMap((email) => LOCALES.map((locale) => ({ email, locale })));
		const problems: Record<string, string[]> = {};
		let pages = 0;
		const queue = [...jobs];
		await Promise.all(
			Array.from({ length: AT_ONCE }, async () => {
				for (let job = queue.shift(); job; job = queue.shift()) {
					const result = await photographAll(job.email, job.locale);
					pages += result.shots;
					if (result.problems.length) problems[`${job.email} ${job.locale}`] = result.problems;
				}
			})
		);
		expect(problems).toEqual({});
		// Six people, two languages, at least the dashboard and two lists each.
		expect(pages).toBeGreaterThan(6 * 2 * 3);
		console.log(`screenshots: ${pages} pages, ${pages * WIDTHS.length} PNGs in ${OUTPUT}`);
	}, 600_000); // A few hundred pages: on a loaded 2-core machine this has come within seconds of 300 s.
});
