import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
	browserSuite,
	DEMO_PASSWORD,
	open as openPage,
	seriousViolations
} from '../support/browser';

/*
 * Issue 13 item 4's "done when" in Chromium: a person with no account files a complaint about the
 * demo's five-star certificate on its public page, gets a reference, reads its status with the
 * reference and their email; the body's administrator sees it on /complaints and acknowledges it.
 * Screenshots at 1280 and 390 px; axe on the public form and the triage pages.
 */

const FIVE_STAR = 'DCB-27922-2025-0001';
const SHOTS = '/tmp/shots-complaints';

describe('complaints (Chromium)', () => {
	const suite = browserSuite({ ADDRESS_HEADER: 'x-real-ip' }, 600_000);

	const pageAt = (width: number, address: string): Promise<Page> =>
		suite.people.page({
			width,
			context: { bypassCSP: true, extraHTTPHeaders: { 'x-real-ip': address } }
		});
	const open = (page: Page, path: string) => openPage(page, path, { status: 'ok' });
	/** By every axe rule, not only the WCAG ones. */
	const serious = (page: Page) => seriousViolations(page, { allRules: true });

	it('lets a visitor file a complaint about the five-star certificate, which the body then sees', async () => {
		const visitor = await pageAt(390, '10.9.0.1');
		await open(visitor, `/verify/demo/${FIVE_STAR}`);
		expect(await serious(visitor)).toEqual([]);
		await visitor.getByLabel('Your name').fill('Sun Li');
		await visitor.getByLabel('Your email').fill('sun.li@example.test');
		await visitor
			.getByLabel('What happened')
			.fill('Nobody answered the service hotline for a week.');
		await visitor.screenshot({ path: `${SHOTS}/form-390.png`, fullPage: true });
		await visitor.getByRole('button', { name: 'Send the complaint' }).click();
		const reference = visitor.getByTestId('complaint-reference');
		await reference.waitFor();
		const code = (await reference.textContent())!.trim();
		expect(code).toMatch(/^C-[0-9A-Z]{8}$/);
		await visitor.screenshot({ path: `${SHOTS}/filed-390.png`, fullPage: true });

		await open(visitor, `/verify/demo/complaint?reference=${code}`);
		await visitor.getByLabel('Email').fill('sun.li@example.test');
		await visitor.getByRole('button', { name: 'Show the status' }).click();
		await visitor.getByTestId('complaint-status').waitFor();
		expect(await visitor.getByTestId('complaint-status').textContent()).toContain('Received');
		await visitor.screenshot({ path: `${SHOTS}/status-390.png`, fullPage: true });
		await visitor.context().close();

		for (const width of [1280, 390]) {
			const admin = await pageAt(width, `10.9.1.${width % 250}`);
			await open(admin, '/login');
			await admin.fill('#email', 'admin@demo.test');
			await admin.fill('#password', DEMO_PASSWORD);
			await admin.press('#password', 'Enter');
			await admin.waitForURL((url) => url.pathname !== '/login');
			await open(admin, '/complaints');
			const table = admin.getByTestId('complaint-table');
			expect(await table.textContent()).toContain(code);
			expect(await table.textContent()).toContain('C-7QK2M4PA');
			expect(await serious(admin)).toEqual([]);
			await admin.screenshot({ path: `${SHOTS}/list-${width}.png`, fullPage: true });
			if (width === 1280) {
				await admin.getByRole('link', { name: code }).click();
				await admin.waitForURL(/\/complaints\/[0-9a-f-]{36}$/);
				await admin.waitForSelector('body[data-hydrated]');
				expect(await serious(admin)).toEqual([]);
				await admin.getByRole('button', { name: 'Acknowledge' }).click();
				await admin.getByRole('status').filter({ hasText: 'Step recorded' }).waitFor();
				expect(await admin.getByTestId('complaint-status').textContent()).toBe('Acknowledged');
				await admin.screenshot({ path: `${SHOTS}/detail-${width}.png`, fullPage: true });
			}
			await admin.context().close();
		}
	}, 240_000);
});
