import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserSuite } from '../support/browser';

/*
 * Issue 10 defect 1: the header holds on one row at 1280 px in both languages for every demo
 * role (links that do not fit under "More", the account under the person's name), and on a
 * phone it is one short row with a "Menu" disclosure that opens from the keyboard.
 */

const PEOPLE = [
	'admin@demo.test',
	'evaluator@demo.test',
	'decider@demo.test',
	'org@demo.test',
	'admin@other.test'
];
/** A row of buttons and links is about 40 px high; two rows would be 80 or more. */
const ONE_ROW = 64;

describe('the header', () => {
	const suite = browserSuite();

	const signedInPage = (email: string, locale: string, width: number) =>
		suite.people.signIn(email, {
			locale,
			width,
			height: 800,
			landing: 'dashboard',
			hydrated: true
		});

	const headerHeight = (page: Page) =>
		page.locator('header.topbar').evaluate((header) => header.getBoundingClientRect().height);

	for (const locale of ['zh-CN', 'en'])
		it.each(PEOPLE)(
			`is one row at 1280 px (${locale}): %s`,
			async (email) => {
				const page = await signedInPage(email, locale, 1280);
				expect(await page.getAttribute('html', 'lang')).toBe(locale);
				expect(await headerHeight(page)).toBeLessThanOrEqual(ONE_ROW);
				// Every visible part of the row starts at the same height.
				const tops = await page.$$eval('.topbar-inner > *, .nav > *, .account > *', (nodes) =>
					nodes
						.map((node) => node.getBoundingClientRect())
						.filter((box) => box.width > 0)
						.map((box) => Math.round(box.top + box.height / 2))
				);
				expect(Math.max(...tops) - Math.min(...tops)).toBeLessThanOrEqual(6);
				// The links end before the search box and the account start: nothing runs into them
				// (English labels are longer, so fewer stay in the row).
				const gap = await page.evaluate(() => {
					const links = [...document.querySelectorAll('.nav > *')].map((node) =>
						node.getBoundingClientRect()
					);
					const account = document.querySelector('.account')!.getBoundingClientRect();
					return account.left - Math.max(...links.map((box) => box.right));
				});
				expect(gap).toBeGreaterThanOrEqual(8);
				// Sign-out is under the person's name.
				const account = page.getByTestId('account-menu');
				await account.locator('summary').focus();
				await page.keyboard.press('Enter');
				expect(await account.getAttribute('open')).not.toBeNull();
				await page.keyboard.press('Escape');
				expect(await account.getAttribute('open')).toBeNull();
				await page.context().close();
			},
			60_000
		);

	it.each([['zh-CN'], ['en']])(
		'is one short row with a Menu disclosure on a phone (%s)',
		async (locale) => {
			const page = await signedInPage('admin@demo.test', locale, 390);
			expect(await headerHeight(page)).toBeLessThanOrEqual(ONE_ROW);
			const menu = page.getByTestId('phone-menu');
			await menu.locator('summary').focus();
			await page.keyboard.press('Enter');
			expect(await menu.getAttribute('open')).not.toBeNull();
			await menu.locator('a[href="/findings"]').click();
			await page.waitForURL('**/findings');
			// The menu closes on navigation.
			expect(await menu.getAttribute('open')).toBeNull();
			await page.context().close();
		},
		60_000
	);
});
