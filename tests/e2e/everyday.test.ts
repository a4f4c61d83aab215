import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserSuite } from '../support/browser';

/*
 * Issue 10, "what people expect every day", beyond accessibility (accessibility.test.ts): the
 * detail pages print cleanly on A4, and a long form that has been typed into asks before the
 * person navigates away from it.
 */

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

describe('every day in Chromium', () => {
	const suite = browserSuite();

	const signedIn = (email: string, locale: 'zh-CN' | 'en') =>
		suite.people.signIn(email, { locale, width: 1280 });

	async function firstDetail(page: Page): Promise<string | null> {
		const hrefs = await page.$$eval('main a[href]', (links) =>
			links.map((a) => a.getAttribute('href'))
		);
		return hrefs.find((href) => href && new RegExp(`^/[a-z-]+/${UUID}$`).test(href)) ?? null;
	}

	it('prints the finding, evaluation and certificate pages on A4: no navigation, no forms, nothing wider than the page', async () => {
		const page = await signedIn('admin@demo.test', 'en');
		// A4 less the @page margins is about 720 CSS pixels wide.
		await page.setViewportSize({ width: 720, height: 1000 });
		for (const list of ['/findings', '/evaluations', '/certificates']) {
			await page.goto(`${suite.server.origin}${list}`);
			await page.waitForSelector('body[data-hydrated]');
			const detail = await firstDetail(page);
			expect(detail, list).not.toBeNull();
			await page.goto(`${suite.server.origin}${detail}`);
			await page.waitForSelector('body[data-hydrated]');
			await page.emulateMedia({ media: 'print' });
			const printed = await page.evaluate(() => ({
				header: getComputedStyle(document.querySelector('header')!).display,
				visibleForms: [...document.querySelectorAll('form, button')].filter(
					(element) => (element as HTMLElement).offsetParent !== null
				).length,
				width: document.documentElement.scrollWidth
			}));
			expect(printed, detail!).toEqual({ header: 'none', visibleForms: 0, width: 720 });
			await page.emulateMedia({ media: 'screen' });
		}
		await page.context().close();
	}, 120_000);

	it('asks before leaving a long form that has been typed into, in the page language', async () => {
		const page = await signedIn('admin@demo.test', 'zh-CN');
		await page.goto(`${suite.server.origin}/certificates/new`);
		await page.waitForSelector('body[data-hydrated]');
		// Untouched: leaving asks nothing.
		const questions: string[] = [];
		page.on('dialog', (dialog) => {
			questions.push(dialog.message());
			void (questions.length === 1 ? dialog.dismiss() : dialog.accept());
		});
		await page
			.locator('main input[type=text], main input:not([type])')
			.first()
			.fill('DCB-TEST-0001');
		await page.click('header a[href="/dashboard"]');
		await page.waitForTimeout(300);
		expect(new URL(page.url()).pathname).toBe('/certificates/new');
		expect(questions).toEqual(['有尚未保存的修改。离开本页将丢失这些修改，确定离开吗？']);
		// The second time the person confirms, and leaves.
		await page.click('header a[href="/dashboard"]');
		await page.waitForURL((url) => url.pathname === '/dashboard');
		expect(questions).toHaveLength(2);
		// A page never typed into lets the person go without a question.
		await page.goto(`${suite.server.origin}/certificates/new`);
		await page.waitForSelector('body[data-hydrated]');
		await page.click('header a[href="/dashboard"]');
		await page.waitForURL((url) => url.pathname === '/dashboard');
		expect(questions).toHaveLength(2);
		await page.context().close();
	}, 120_000);
});
