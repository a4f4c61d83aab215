import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildApp, startBuiltApp, type RunningServer } from '../support/server';
import { launchBrowser } from '../support/browser';

/*
 * Issue 12 item 4, through the UI: the demo admin imports a certificate transferred from another
 * body with its history there, row by row. Without JavaScript (in Chinese) the rows are added and
 * removed by the form's own buttons, a row out of order is refused at its field with nothing
 * saved, and once corrected the certificate's history shows the lines as "在<body>"; with
 * JavaScript (in English) the same form imports another and its history says "At <body>".
 */

const PASSWORD = 'demo-password-2026';
const BODY = '中国质量认证中心';
const ORGANISATION = '厦门立顺捷机电服务有限公司';

function todayInShanghai(): string {
	return new Intl.DateTimeFormat('en-CA', {
		timeZone: 'Asia/Shanghai',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit'
	}).format(new Date());
}

function addDays(isoDate: string, days: number): string {
	const date = new Date(`${isoDate}T00:00:00Z`);
	date.setUTCDate(date.getUTCDate() + days);
	return date.toISOString().slice(0, 10);
}

describe('a certificate transferred from another body, with its history there', () => {
	let server: RunningServer;
	let browser: Browser;
	const contexts: BrowserContext[] = [];
	const today = todayInShanghai();
	const suffix = crypto.randomUUID().slice(0, 6);

	beforeAll(async () => {
		buildApp();
		server = await startBuiltApp();
		browser = await launchBrowser();
	}, 300_000);

	afterAll(async () => {
		for (const context of contexts) await context.close().catch(() => {});
		await browser?.close();
		await server?.stop();
	});

	/** The admin signed in, in `locale`, with or without JavaScript afterwards. */
	async function adminPage(locale: 'en' | 'zh-CN', javaScriptEnabled: boolean): Promise<Page> {
		const signedIn = await browser.newContext();
		contexts.push(signedIn);
		await signedIn.addCookies([{ name: 'PARAGLIDE_LOCALE', value: locale, url: server.origin }]);
		const page = await signedIn.newPage();
		await page.goto(`${server.origin}/login`);
		await page.waitForSelector('body[data-hydrated]');
		await page.fill('#email', 'admin@demo.test');
		await page.fill('#password', PASSWORD);
		await page.press('#password', 'Enter');
		await page.waitForURL('**/dashboard');
		if (javaScriptEnabled) return page;
		const context = await browser.newContext({
			javaScriptEnabled: false,
			storageState: await signedIn.storageState()
		});
		contexts.push(context);
		context.setDefaultTimeout(15_000);
		return context.newPage();
	}

	async function fillCertificate(page: Page, number: string) {
		await page.fill('#certificate-number', number);
		await page.locator('#certificate-organisationId').selectOption({ label: ORGANISATION });
		const standard = page.locator('#certificate-standardId');
		const option = standard.locator('option', { hasText: 'GB/T 27922' }).first();
		await standard.selectOption((await option.getAttribute('value')) ?? '');
		await page.fill('#certificate-scope', '家用电器的售后服务（安装、维修）');
		await page.fill('#certificate-issuedOn', addDays(today, -5));
	}

	async function fillRow(page: Page, row: number, on: string, event: string, note = '') {
		await page.fill(`#previous-history-on-${row}`, on);
		await page.locator(`#previous-history-event-${row}`).selectOption(event);
		await page.fill(`#previous-history-note-${row}`, note);
	}

	it('works without JavaScript: rows added and removed, a refusal at its row, then the import', async () => {
		const page = await adminPage('zh-CN', false);
		await page.goto(`${server.origin}/certificates/new`);
		await fillCertificate(page, `TR-NOJS-${suffix}`);
		await page.fill('#certificate-previousBodyName', BODY);
		await page.fill('#certificate-previousNumber', `CQC-${suffix}`);
		const rows = page.getByTestId('previous-history-row');
		expect(await rows.count()).toBe(3);

		await fillRow(page, 0, addDays(today, -700), 'issued', '初次认证');
		await fillRow(page, 1, addDays(today, -400), 'surveillance');
		await page.getByTestId('previous-history-add').click();
		await page.waitForLoadState();
		expect(await rows.count()).toBe(4);
		// What was typed came back, and the standard's grades are now offered.
		expect(await page.inputValue('#previous-history-note-0')).toBe('初次认证');
		await page.locator('#certificate-gradeLevelId').selectOption({ index: 1 });

		await fillRow(page, 2, addDays(today, -500), 'scope_reduced', '删去一个网点');
		await fillRow(page, 3, addDays(today, -300), 'surveillance');
		await page.getByTestId('previous-history-remove').nth(2).click();
		await page.waitForLoadState();
		expect(await rows.count()).toBe(3);
		expect(await page.inputValue('#previous-history-on-2')).toBe(addDays(today, -300));

		// Out of order: refused at the row's date, in Chinese, nothing saved.
		await page.fill('#previous-history-on-2', addDays(today, -500));
		await page.locator('form button[type="submit"]').filter({ hasText: '导入证书' }).click();
		await page.waitForLoadState();
		expect(await page.locator('#previous-history-on-2-error').textContent()).toContain(
			'该日期早于上一行'
		);
		expect(page.url()).toContain('/certificates/new');

		await page.fill('#previous-history-on-2', addDays(today, -300));
		await page.locator('form button[type="submit"]').filter({ hasText: '导入证书' }).click();
		await page.waitForURL(/\/certificates\/[0-9a-f-]{36}/);
		const marks = page.getByTestId('history-previous-body');
		expect(await marks.count()).toBe(3);
		expect(await marks.first().textContent()).toContain(`在${BODY}`);
		const history = await page.getByTestId('certificate-history').textContent();
		expect(history).toContain('初次认证');
		expect(history).toContain('完成监督');
	});

	it('works with JavaScript, and the history says "At" the previous body in English', async () => {
		const page = await adminPage('en', true);
		await page.goto(`${server.origin}/certificates/new`);
		await page.waitForSelector('body[data-hydrated]');
		await fillCertificate(page, `TR-JS-${suffix}`);
		await page.locator('#certificate-gradeLevelId').selectOption({ index: 1 });
		// The transfer's fields wait behind the box.
		expect(await page.getByTestId('previous-history').count()).toBe(0);
		await page.getByTestId('certificate-transferred').check();
		await page.fill('#certificate-previousBodyName', BODY);
		await page.fill('#certificate-previousNumber', `CQC-JS-${suffix}`);
		await fillRow(page, 0, addDays(today, -700), 'issued');
		await fillRow(page, 1, addDays(today, -200), 'suspended', 'Missed surveillance');
		await page.getByRole('button', { name: 'Import certificate' }).click();
		// Ending suspended is refused at that row (IAF MD 2).
		await page.locator('#previous-history-event-1-error').waitFor();
		expect(await page.locator('#previous-history-event-1-error').textContent()).toContain(
			'cannot be accepted for transfer'
		);
		await fillRow(page, 2, addDays(today, -150), 'restored');
		await page.getByRole('button', { name: 'Import certificate' }).click();
		await page.waitForURL(/\/certificates\/[0-9a-f-]{36}/);
		await page.waitForSelector('body[data-hydrated]');
		const marks = page.getByTestId('history-previous-body');
		expect(await marks.count()).toBe(3);
		expect(await marks.first().textContent()).toContain(`At ${BODY}`);
		expect(await page.getByTestId('certificate-history').textContent()).toContain(
			'Missed surveillance'
		);
	});
});
