import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildApp, startBuiltApp, type RunningServer } from '../support/server';
import { DEMO_PASSWORD, fillSignIn, launchBrowser } from '../support/browser';

describe('the built app on the embedded default, in Chromium', () => {
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

	const signIn = (page: Page, email: string) => fillSignIn(page, server.origin, email);

	it('signs the admin in to a Chinese dashboard, switches to English and signs out', async () => {
		const page = await browser.newPage();
		await signIn(page, 'admin@demo.test');
		await page.waitForURL('**/dashboard');

		expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
		expect(await page.textContent('[data-testid=dashboard-heading]')).toBe('张敏，您好');
		expect(await page.textContent('[data-testid=dashboard-context]')).toContain(
			'Demo Certification Body · 管理员'
		);
		await page.screenshot({ path: '/tmp/certtrack-dashboard-zh.png', fullPage: true });

		await page.getByRole('button', { name: '切换为英文' }).click();
		await page.waitForFunction(() => document.documentElement.lang === 'en');
		expect(await page.textContent('[data-testid=dashboard-heading]')).toBe('Welcome, 张敏');
		expect(await page.textContent('[data-testid=dashboard-context]')).toContain(
			'Demo Certification Body · Administrator'
		);
		await page.screenshot({ path: '/tmp/certtrack-dashboard-en.png', fullPage: true });

		// Signing out is in the account menu under the person's name (a <details>).
		await page.getByTestId('account-menu').locator('summary').click();
		await page.getByRole('button', { name: 'Sign out' }).click();
		await page.waitForURL('**/login?signed-out');
		expect(await page.textContent('[role=status]')).toContain('You have signed out.');

		// The old session no longer opens the dashboard.
		await page.goto(`${server.origin}/dashboard`);
		expect(new URL(page.url()).pathname).toBe('/login');
		await page.close();
	});

	it('refuses wrong credentials with one message that does not say which part was wrong', async () => {
		const page = await browser.newPage();
		await signIn(page, 'nobody@demo.test');
		await page.waitForSelector('[data-testid=login-error]');
		const unknownEmail = await page.textContent('[data-testid=login-error]');

		await page.fill('#email', 'admin@demo.test');
		await page.fill('#password', 'wrong-password-123');
		await page.press('#password', 'Enter');
		await page.waitForSelector('[data-testid=login-error]');
		expect(await page.textContent('[data-testid=login-error]')).toBe(unknownEmail);
		expect(unknownEmail).toBe('邮箱或密码不正确。');
		await page.close();
	});

	it('lets a person with two bodies choose one, and switch', async () => {
		const page = await browser.newPage();
		await signIn(page, 'multi@demo.test');
		await page.waitForURL('**/choose-tenant');
		await page
			.getByRole('listitem')
			.filter({ hasText: 'Other Certification Body' })
			.getByRole('button')
			.click();
		await page.waitForURL('**/dashboard');
		expect(await page.textContent('[data-testid=tenant-name]')).toBe('Other Certification Body');
		// The tenant's default language comes first: Other Certification Body works in English.
		expect(await page.getAttribute('html', 'lang')).toBe('en');
		await page.goto(`${server.origin}/certificates`);
		expect(await page.textContent('[data-testid=certificate-table]')).toContain('OCB-PM-2026-0001');
		expect(await page.textContent('[data-testid=certificate-table]')).not.toContain('DCB-');

		await page.goto(`${server.origin}/choose-tenant`);
		await page
			.getByRole('listitem')
			.filter({ hasText: 'Demo Certification Body' })
			.getByRole('button')
			.click();
		await page.waitForURL('**/dashboard');
		expect(await page.textContent('[data-testid=tenant-name]')).toBe('Demo Certification Body');
		expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
		await page.close();
	});

	it("shows an organisation user only their own organisation's certificates", async () => {
		const page = await browser.newPage();
		await signIn(page, 'org@demo.test');
		await page.waitForURL('**/dashboard');
		await page.goto(`${server.origin}/certificates`);
		const table = await page.textContent('[data-testid=certificate-table]');
		expect(table).toContain('DCB-27922-2025-0001');
		expect(table).not.toContain('DCB-20647-2026-0002');
		await page.close();
	});

	it('signs in every demo account', async () => {
		const expected: Record<string, string> = {
			'admin@demo.test': '/dashboard',
			'evaluator@demo.test': '/dashboard',
			'decider@demo.test': '/dashboard',
			'org@demo.test': '/dashboard',
			'admin@other.test': '/dashboard',
			'multi@demo.test': '/choose-tenant'
		};
		for (const [email, target] of Object.entries(expected)) {
			const response = await fetch(`${server.origin}/login`, {
				method: 'POST',
				redirect: 'manual',
				headers: {
					origin: server.origin,
					accept: 'text/html',
					'content-type': 'application/x-www-form-urlencoded'
				},
				body: new URLSearchParams({ email, password: DEMO_PASSWORD })
			});
			expect(response.status, email).toBe(303);
			expect(response.headers.get('location'), email).toBe(target);
		}
	});

	it('answers /healthz with the database and Redis state', async () => {
		const response = await fetch(`${server.origin}/healthz`);
		expect(response.status).toBe(200);
		const body = await response.json();
		expect(body).toMatchObject({ status: 'ok', db: 'ok', redis: 'ok', mail: 'files' });
		expect(['bullmq', 'timer']).toContain(body.chase);
		// It says how long its checks took. That it answers within a second whatever is down is
		// pg-fault.test.ts's (the database stopped); timing the healthy answer here would only
		// measure how busy the machine is.
		expect(body.ms).toBeGreaterThanOrEqual(0);
	});
});

describe('the built app without Redis', () => {
	let server: RunningServer;
	let browser: Browser;

	beforeAll(async () => {
		buildApp();
		server = await startBuiltApp({ REDIS_URL: 'redis://127.0.0.1:1' });
		browser = await launchBrowser();
	}, 300_000);

	afterAll(async () => {
		await browser?.close();
		await server?.stop();
	});

	it('still serves pages, tells the admin, and logs the outage once', async () => {
		const health = await fetch(`${server.origin}/healthz`);
		expect(health.status).toBe(200);
		expect(await health.json()).toMatchObject({
			status: 'ok',
			db: 'ok',
			redis: 'unavailable',
			mail: 'files'
		});

		const page = await browser.newPage();
		await fillSignIn(page, server.origin, 'admin@demo.test');
		await page.waitForURL('**/dashboard');
		expect(await page.textContent('main [role=status]')).toContain('Redis');
		await page.close();

		const mentions = server
			.output()
			.split('\n')
			.filter((line) => line.includes('unreachable'));
		expect(mentions).toHaveLength(1);
	});
});
