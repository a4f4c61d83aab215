import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildApp, startBuiltApp, type RunningServer } from '../support/server';
import { launchBrowser } from '../support/browser';

/*
 * Issue 10, "keyboard-only use of every form; visible focus": a person who cannot use a mouse
 * signs in, walks each page's controls with Tab and uses its forms with the keyboard alone, and
 * always sees where the focus is (an outline or a ring, never the browser's focus hidden by CSS).
 * The pages are the ones each role works in every day, in both languages.
 */

const PASSWORD = 'demo-password-2026';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** Enough presses to leave the header and reach the page's own forms on every page below. */
const MAX_TABS = 60;

interface Focused {
	tag: string;
	label: string;
	visible: boolean;
	indicated: boolean;
}

/** What has the focus now, whether it is on screen, and whether it shows that it has it. */
function focusedNow(page: Page): Promise<Focused | null> {
	return page.evaluate(() => {
		const element = document.activeElement as HTMLElement | null;
		if (!element || element === document.body) return null;
		const style = getComputedStyle(element);
		const box = element.getBoundingClientRect();
		const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
		const ring = style.boxShadow !== 'none';
		// A date field's keyboard focus sits in its inner day/month/year part, which Chromium shows
		// highlighted; the field itself then does not match :focus (nor get the outline) in every
		// state, so that highlight is the indicator.
		const segment = element instanceof HTMLInputElement && element.type === 'date';
		return {
			tag: `${element.tagName.toLowerCase()}${element.getAttribute('type') ? `[${element.getAttribute('type')}]` : ''}${element.className ? `.${String(element.className).split(' ')[0]}` : ''}`,
			label: (
				element.getAttribute('aria-label') ??
				element.textContent ??
				element.getAttribute('name') ??
				''
			)
				.trim()
				.slice(0, 40),
			visible: box.width > 0 && box.height > 0,
			indicated: outline || ring || segment
		};
	});
}

describe('keyboard only, in Chromium', () => {
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

	/** Signs in with the keyboard alone: Tab to each field, type, Enter. */
	async function signInByKeyboard(email: string, locale: 'zh-CN' | 'en'): Promise<Page> {
		const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
		await context.addCookies([{ name: 'PARAGLIDE_LOCALE', value: locale, url: server.origin }]);
		const page = await context.newPage();
		await page.goto(`${server.origin}/login`);
		await page.waitForSelector('body[data-hydrated]');
		for (let i = 0; i < MAX_TABS; i++) {
			await page.keyboard.press('Tab');
			const id = await page.evaluate(() => document.activeElement?.id);
			if (id === 'email') break;
		}
		expect(await focusedNow(page)).toMatchObject({ indicated: true });
		await page.keyboard.type(email);
		await page.keyboard.press('Tab');
		expect(await page.evaluate(() => document.activeElement?.id)).toBe('password');
		expect((await focusedNow(page))?.indicated).toBe(true);
		await page.keyboard.type(PASSWORD);
		await page.keyboard.press('Enter');
		await page.waitForURL((url) => url.pathname !== '/login');
		await page.waitForSelector('body[data-hydrated]');
		return page;
	}

	/** Tabs through the page from its top; every stop must be on screen and show its focus. */
	async function walk(page: Page, path: string): Promise<Focused[]> {
		await page.goto(`${server.origin}${path}`);
		await page.waitForSelector('body[data-hydrated]');
		const stops: Focused[] = [];
		for (let i = 0; i < MAX_TABS; i++) {
			await page.keyboard.press('Tab');
			const focused = await focusedNow(page);
			if (!focused) break;
			stops.push(focused);
		}
		const hidden = stops.filter((stop) => !stop.visible);
		const unmarked = stops.filter((stop) => stop.visible && !stop.indicated);
		expect(hidden, `${path}: focus off screen: ${JSON.stringify(hidden)}`).toEqual([]);
		expect(unmarked, `${path}: focus not shown: ${JSON.stringify(unmarked)}`).toEqual([]);
		return stops;
	}

	async function firstDetail(page: Page, list: string): Promise<string> {
		await page.goto(`${server.origin}${list}`);
		await page.waitForSelector('body[data-hydrated]');
		const hrefs = await page.$$eval('main a[href]', (links) =>
			links.map((a) => a.getAttribute('href'))
		);
		const found = hrefs.find((href) => href && new RegExp(`^/[a-z-]+/${UUID}$`).test(href));
		expect(found, list).toBeTruthy();
		return found!;
	}

	const people = [
		{
			email: 'admin@demo.test',
			pages: ['/dashboard', '/findings', '/certificates/new', '/organisations', '/people']
		},
		{ email: 'evaluator@demo.test', pages: ['/evaluations', '/calendar'], detail: '/findings' },
		{ email: 'org@demo.test', pages: ['/obligations'], detail: '/my-actions' }
	];

	for (const locale of ['zh-CN', 'en'] as const) {
		for (const person of people) {
			it(`${person.email} (${locale}): signs in and walks each page with Tab, the focus always shown`, async () => {
				const page = await signInByKeyboard(person.email, locale);
				const paths = [...person.pages];
				if (person.detail) paths.push(await firstDetail(page, person.detail));
				for (const path of paths) {
					const stops = await walk(page, path);
					// The page's own controls are reached, not only the header's.
					expect(stops.length, path).toBeGreaterThan(3);
				}
				await page.context().close();
			}, 180_000);
		}
	}

	it('uses a list filter with the keyboard alone: type in the search box, Enter, the list filters', async () => {
		const page = await signInByKeyboard('admin@demo.test', 'en');
		await page.goto(`${server.origin}/findings`);
		await page.waitForSelector('body[data-hydrated]');
		let reached = false;
		for (let i = 0; i < MAX_TABS && !reached; i++) {
			await page.keyboard.press('Tab');
			reached = await page.evaluate(
				() =>
					document.activeElement instanceof HTMLInputElement &&
					document.activeElement.name === 'q' &&
					!!document.activeElement.closest('main')
			);
		}
		expect(reached).toBe(true);
		await page.keyboard.type('NC-1');
		await page.keyboard.press('Enter');
		await page.waitForURL((url) => url.searchParams.get('q') === 'NC-1');
		await page.waitForSelector('body[data-hydrated]');
		expect(await page.locator('main table tbody tr').count()).toBeGreaterThan(0);
		await page.context().close();
	}, 120_000);

	it('opens the phone menu and follows a link with the keyboard alone', async () => {
		const page = await signInByKeyboard('evaluator@demo.test', 'zh-CN');
		await page.setViewportSize({ width: 390, height: 844 });
		await page.goto(`${server.origin}/dashboard`);
		await page.waitForSelector('body[data-hydrated]');
		let onMenu = false;
		for (let i = 0; i < MAX_TABS && !onMenu; i++) {
			await page.keyboard.press('Tab');
			onMenu = await page.evaluate(() => {
				const element = document.activeElement;
				return element?.tagName === 'SUMMARY' && !!element.closest('header');
			});
		}
		expect(onMenu).toBe(true);
		expect((await focusedNow(page))?.indicated).toBe(true);
		await page.keyboard.press('Enter');
		// The first link inside the opened menu, followed with Enter.
		let href: string | null = null;
		for (let i = 0; i < 10 && !href; i++) {
			await page.keyboard.press('Tab');
			href = await page.evaluate(() => {
				const element = document.activeElement;
				return element instanceof HTMLAnchorElement && element.closest('details[open]')
					? element.getAttribute('href')
					: null;
			});
		}
		expect(href).toBeTruthy();
		await page.keyboard.press('Enter');
		await page.waitForURL((url) => url.pathname === new URL(href!, server.origin).pathname);
		await page.context().close();
	}, 120_000);
});
