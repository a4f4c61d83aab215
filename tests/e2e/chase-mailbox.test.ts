import { describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { browserSuite, open } from '../support/browser';

/*
 * The chase as a trial user meets it (issue 7 §6 and "done when"): `npm start` on the demo data
 * with no Redis runs the chase on the in-process timer, and within a minute the Mailbox holds
 * the reminders of the demo's overdue nonconformity and of the one due in 7 days. The admin
 * opens a reminder, follows its link to the finding page; the recipient sees the bell's unread
 * count. With CHASEUI_SHOTS=1 it also saves screenshots of the chase's pages (1280 and 390 px,
 * both languages) under /tmp/shots-chaseui.
 */

const SHOTS = process.env.CHASEUI_SHOTS === '1' ? '/tmp/shots-chaseui' : null;

describe('the chase in the Mailbox, on the demo data without Redis', () => {
	// A port nothing listens on: the in-process timer, as on a bare machine.
	const suite = browserSuite({ REDIS_URL: 'redis://127.0.0.1:9' });

	const signIn = (email: string, locale: 'en' | 'zh-CN' = 'en', width = 1280) =>
		suite.people.signIn(email, { locale, width, timeout: 15_000, landing: 'dashboard' });

	let findingPath = '';

	it('puts the demo reminders in the Mailbox within a minute, and says how the chase runs', async () => {
		const admin = await signIn('admin@demo.test');
		const deadline = Date.now() + 60_000;
		let subjects: string[] = [];
		for (;;) {
			await open(admin, '/mailbox');
			subjects = await admin.locator('tbody tr td:nth-child(3) a').allTextContents();
			// The nonconformities' reminders (the demo's obligations fall due too, with their own).
			const finding = (s: string) => /NC-\d/.test(s);
			const overdue = subjects.some((s) => finding(s) && /逾期|overdue/.test(s));
			const dueIn7 = subjects.some((s) => finding(s) && /7 天后到期|due in 7 days/.test(s));
			if (overdue && dueIn7) break;
			if (Date.now() > deadline)
				throw new Error(`no reminders within a minute: ${JSON.stringify(subjects)}`);
			await new Promise((resolve) => setTimeout(resolve, 2_000));
		}
		const status = admin.getByTestId('chase-status');
		expect(await status.textContent()).toContain('in-process timer');
		expect(await status.textContent()).toContain('.eml files');
		// Dates in the body's zone and the reader's language, not a raw RFC 2822 header.
		const date = (await admin.locator('tbody tr td:first-child').first().textContent()) ?? '';
		expect(date).not.toMatch(/GMT|\+0000/);

		await admin
			.locator('tbody tr td:nth-child(3) a')
			.filter({ hasText: /逾期|overdue/ })
			.filter({ hasText: /NC-\d/ })
			.first()
			.click();
		await admin.waitForURL('**/mailbox/*');
		const text = (await admin.locator('pre').first().textContent()) ?? '';
		const link = text.match(/https?:\/\/[^\s]+\/findings\/[0-9a-f-]{36}/)?.[0];
		expect(link, text).toBeDefined();
		findingPath = new URL(link!).pathname;
		const reference = (await admin.locator('h1').textContent())?.match(/\S+-\d+/)?.[0] ?? '';

		await open(admin, findingPath);
		expect(await admin.locator('h1').textContent()).toContain(reference);
	}, 120_000);

	it('shows the recipient the bell with its unread count', async () => {
		const org = await signIn('org@demo.test');
		const bell = org.getByTestId('bell');
		const label = (await bell.getAttribute('aria-label')) ?? '';
		const count = Number(label.match(/(\d+) unread/)?.[1] ?? 0);
		expect(count).toBeGreaterThanOrEqual(2);
		expect(await bell.locator('.bell-count').textContent()).toBe(String(count));
		await bell.click();
		await org.waitForURL('**/notifications');
		expect(await org.locator('.list li.unread').count()).toBe(count);
	});

	it.runIf(SHOTS)(
		'saves screenshots of the chase pages',
		async () => {
			mkdirSync(SHOTS!, { recursive: true });
			for (const locale of ['en', 'zh-CN'] as const)
				for (const width of [1280, 390]) {
					const admin = await signIn('admin@demo.test', locale, width);
					const shot = async (name: string, path: string) => {
						await open(admin, path);
						await admin.screenshot({
							path: `${SHOTS}/${name}-${locale}-${width}.png`,
							fullPage: true
						});
					};
					await shot('dashboard', '/dashboard');
					await shot('mailbox', '/mailbox');
					await shot('deliveries', '/deliveries');
					await shot('finding', findingPath);
					await admin.goto(`${suite.server.origin}/certificates`);
					const certificate = await admin
						.locator('a[href^="/certificates/"]')
						.filter({ hasText: 'DCB-27922-2025-0001' })
						.first()
						.getAttribute('href');
					await shot('certificate', certificate!);
					await shot('decide', `${certificate}/decide`);
					await shot('notifications', '/notifications');
				}
		},
		240_000
	);
});
