import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { buildApp, startBuiltApp, type RunningServer } from '../support/server';
import { launchBrowser } from '../support/browser';

/*
 * Issue 13 items 1, 2 and 6 in Chromium, with no sign-in: /verify in both languages (found, not
 * found, suspended, on a past day), the QR code of a certificate decoding to its public page,
 * the badge, the per-address limit, and axe on the public pages. The app trusts X-Real-IP here,
 * so each part counts under an address of its own.
 */

const PASSWORD = 'demo-password-2026';
const FIVE_STAR = 'DCB-27922-2025-0001';
const SECOND = 'DCB-20647-2026-0002';
const SHOTS = '/tmp/shots-verify';
const AXE_SOURCE = readFileSync(
	createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
	'utf8'
);
let address = 10;

describe('public certificate verification (Chromium, no sign-in)', () => {
	let server: RunningServer;
	let browser: Browser;

	beforeAll(async () => {
		buildApp();
		server = await startBuiltApp({ ADDRESS_HEADER: 'x-real-ip' });
		browser = await launchBrowser();
	}, 300_000);

	afterAll(async () => {
		await browser?.close();
		await server?.stop();
	});

	async function visitor(
		locale: 'zh-CN' | 'en',
		width = 1280,
		options: { bypassCSP?: boolean } = {}
	): Promise<{ context: BrowserContext; page: Page }> {
		const context = await browser.newContext({
			viewport: { width, height: 900 },
			extraHTTPHeaders: { 'x-real-ip': `10.0.0.${address++}` },
			...options
		});
		await context.addCookies([{ name: 'PARAGLIDE_LOCALE', value: locale, url: server.origin }]);
		return { context, page: await context.newPage() };
	}

	async function open(page: Page, path: string) {
		const answer = await page.goto(`${server.origin}${path}`);
		await page.waitForSelector('body[data-hydrated]');
		return answer;
	}

	const words = {
		'zh-CN': {
			number: '证书编号',
			submit: '查询',
			active: '有效',
			suspended: '暂停',
			notFound: '没有与“NOPE-0000”相符的证书。',
			body: 'Demo Certification Body',
			notIssued: '尚未颁发'
		},
		en: {
			number: 'Certificate number',
			submit: 'Verify',
			active: 'Active',
			suspended: 'Suspended',
			notFound: 'No certificate matches “NOPE-0000”.',
			body: 'Demo Certification Body',
			notIssued: 'had not been issued'
		}
	} as const;

	for (const locale of ['zh-CN', 'en'] as const) {
		it(`finds the five-star certificate by number and says when nothing matches (${locale})`, async () => {
			const w = words[locale];
			const { context, page } = await visitor(locale);
			await open(page, '/verify');
			expect(await page.getAttribute('html', 'lang')).toBe(locale);
			await page.getByLabel(w.number).fill(FIVE_STAR);
			await page.getByRole('button', { name: w.submit, exact: true }).click();
			await page.waitForSelector('[data-testid=verify-result]');
			const result = page.getByTestId('verify-result');
			expect(await result.textContent()).toContain('厦门立顺捷机电服务有限公司');
			expect(await result.textContent()).toContain(w.active);
			await page.screenshot({ path: `${SHOTS}/verify-found-${locale}-1280.png`, fullPage: true });
			await result.getByRole('link', { name: FIVE_STAR }).click();
			await page.waitForURL(`**/verify/demo/${FIVE_STAR}`);
			await page.waitForSelector('body[data-hydrated]');
			expect(await page.getByTestId('status-today').textContent()).toBe(w.active);
			expect(await page.getByTestId('body-name').textContent()).toBe(w.body);
			expect(await page.getByTestId('state-today').textContent()).toContain(
				locale === 'en' ? 'Five stars' : '五星'
			);
			await page.screenshot({ path: `${SHOTS}/certificate-${locale}-1280.png`, fullPage: true });

			await open(page, '/verify?number=NOPE-0000');
			expect(await page.getByTestId('verify-not-found').textContent()).toContain(w.notFound);
			// A name is no number: plain /verify never searches names across bodies.
			await open(page, `/verify?number=${encodeURIComponent('厦门立顺捷机电服务有限公司')}`);
			expect(await page.getByTestId('verify-not-found').isVisible()).toBe(true);
			// In the body's own search the name finds it.
			await open(page, `/verify/demo?q=${encodeURIComponent('立顺捷')}`);
			expect(await page.getByTestId('verify-result').count()).toBe(1);
			await context.close();

			const phone = await visitor(locale, 390);
			await open(phone.page, `/verify/demo/${FIVE_STAR}`);
			await phone.page.screenshot({
				path: `${SHOTS}/certificate-${locale}-390.png`,
				fullPage: true
			});
			await open(phone.page, `/verify/demo?q=${encodeURIComponent('厦门')}`);
			await phone.page.screenshot({ path: `${SHOTS}/search-${locale}-390.png`, fullPage: true });
			await phone.context.close();
		});
	}

	it('shows a suspension at once, the day before as valid, and before issue as not issued', async () => {
		// The decision maker suspends the second certificate.
		const { context, page } = await visitor('en');
		await open(page, '/login');
		await page.fill('#email', 'decider@demo.test');
		await page.fill('#password', PASSWORD);
		await page.press('#password', 'Enter');
		await page.waitForURL((url) => url.pathname !== '/login');
		await open(page, '/certificates');
		await page.getByRole('link', { name: SECOND }).click();
		await page.waitForURL(/\/certificates\/[0-9a-f-]{36}$/);
		const certificatePath = new URL(page.url()).pathname;
		await open(page, `${certificatePath}/decide`);
		const form = page.getByRole('form', { name: 'Take a decision' });
		await form.getByRole('radio', { name: /Suspend/ }).check();
		await form
			.getByLabel('Reason')
			.fill('Complaint confirmed: services not delivered as certified.');
		await form.getByRole('button', { name: 'Take the decision: Suspend' }).click();
		const confirm = page.getByRole('dialog', { name: 'Take the decision: Suspend?' });
		await confirm.getByRole('button', { name: 'Take the decision: Suspend' }).click();
		await page.waitForURL(`**${certificatePath}?saved=decided`);
		await context.close();

		for (const locale of ['zh-CN', 'en'] as const) {
			const w = words[locale];
			const guest = await visitor(locale);
			await open(guest.page, `/verify/demo/${SECOND}`);
			expect(await guest.page.getByTestId('status-today').textContent()).toBe(w.suspended);
			const today = (await guest.page.getByTestId('state-today').textContent()) ?? '';
			expect(today).toContain(w.suspended);
			// The day before: valid. The form asks for a date and shows it.
			const yesterday = new Date(Date.now() - 86_400_000 * 2).toISOString().slice(0, 10);
			await guest.page.fill('#on', yesterday);
			await guest.page.locator('form.as-of button').click();
			await guest.page.waitForURL(`**?on=${yesterday}`);
			await guest.page.waitForSelector('[data-testid=state-as-of]');
			expect(
				await guest.page.getByTestId('state-as-of').getAttribute('data-status'),
				yesterday
			).toBe('active');
			expect(await guest.page.getByTestId('state-as-of').textContent()).toContain(w.active);
			await guest.page.screenshot({
				path: `${SHOTS}/suspended-as-of-${locale}-1280.png`,
				fullPage: true
			});
			await open(guest.page, `/verify/demo/${SECOND}?on=2020-01-01`);
			expect(await guest.page.getByTestId('state-as-of').textContent()).toContain(w.notIssued);
			await guest.context.close();
		}

		// The badge says it live, in the language asked for, embeddable elsewhere.
		for (const [lang, text] of [
			['en', 'Suspended'],
			['zh-CN', '暂停']
		] as const) {
			const answer = await fetch(`${server.origin}/verify/demo/${SECOND}/badge.svg?lang=${lang}`, {
				headers: { 'x-real-ip': '10.1.0.1' }
			});
			expect(answer.status).toBe(200);
			expect(answer.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
			expect(answer.headers.get('cache-control')).toBe('public, max-age=300');
			expect(answer.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
			const svg = await answer.text();
			expect(svg).toContain(text);
			expect(svg).toContain(SECOND);
			expect(svg).toContain('#9a6700');
		}
		const active = await fetch(`${server.origin}/verify/demo/${FIVE_STAR}/badge.svg?lang=en`, {
			headers: { 'x-real-ip': '10.1.0.1' }
		});
		expect(await active.text()).toContain('Active');
	});

	it('shows on the signed-in certificate page a QR code that decodes to the public page', async () => {
		const { context, page } = await visitor('zh-CN');
		await open(page, '/login');
		await page.fill('#email', 'admin@demo.test');
		await page.fill('#password', PASSWORD);
		await page.press('#password', 'Enter');
		await page.waitForURL((url) => url.pathname !== '/login');
		await open(page, '/certificates');
		await page.getByRole('link', { name: FIVE_STAR }).click();
		await page.waitForURL(/\/certificates\/[0-9a-f-]{36}$/);
		await page.waitForSelector('body[data-hydrated]');
		const expected = `${server.origin}/verify/demo/${FIVE_STAR}`;
		expect(await page.getByTestId('public-link').getAttribute('href')).toBe(expected);

		// The inline SVG, as the browser draws it, scanned like a phone would.
		const drawn = PNG.sync.read(await page.getByTestId('qr-code').screenshot());
		const scanned = jsQR(new Uint8ClampedArray(drawn.data), drawn.width, drawn.height);
		expect(scanned?.data).toBe(expected);
		// The PNG download decodes to the same address.
		const pngHref = await page.getByTestId('qr-png').getAttribute('href');
		const png = await fetch(`${server.origin}${pngHref}`, { headers: { 'x-real-ip': '10.1.0.2' } });
		expect(png.headers.get('content-type')).toBe('image/png');
		const image = PNG.sync.read(Buffer.from(await png.arrayBuffer()));
		expect(jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data).toBe(expected);
		const svgHref = await page.getByTestId('qr-svg').getAttribute('href');
		const svg = await fetch(`${server.origin}${svgHref}`, { headers: { 'x-real-ip': '10.1.0.2' } });
		expect(svg.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
		expect(await svg.text()).toMatch(/^<svg/);

		// The badge snippet links the public page and shows the badge.
		const snippet = await page.getByTestId('badge-snippet').inputValue();
		expect(snippet).toBe(
			`<a href="${expected}"><img src="${expected}/badge.svg?lang=zh-CN" alt="认证查询 ${FIVE_STAR}" height="40"></a>`
		);
		await page.screenshot({
			path: `${SHOTS}/signed-in-certificate-zh-CN-1280.png`,
			fullPage: true
		});
		// The public page has the same code.
		await open(page, `/verify/demo/${FIVE_STAR}`);
		const publicDrawn = PNG.sync.read(await page.getByTestId('qr-code').screenshot());
		expect(
			jsQR(new Uint8ClampedArray(publicDrawn.data), publicDrawn.width, publicDrawn.height)?.data
		).toBe(expected);
		await context.close();
	});

	it('answers 429 with a localized message past the per-address limit', async () => {
		for (const [locale, text] of [
			['en', 'Too many verification requests'],
			['zh-CN', '查询过于频繁']
		] as const) {
			const headers = {
				'x-real-ip': `10.2.0.${locale.length}`,
				cookie: `PARAGLIDE_LOCALE=${locale}`
			};
			let last: Response | null = null;
			for (let i = 0; i < 61; i++) {
				last = await fetch(`${server.origin}/verify?number=${FIVE_STAR}`, { headers });
				if (i < 60) expect(last.status, `request ${i + 1}`).toBe(200);
			}
			expect(last!.status).toBe(429);
			expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
			expect(await last!.text()).toContain(text);
			// The badge of the same address is refused too; another address is not.
			const badge = await fetch(`${server.origin}/verify/demo/${FIVE_STAR}/badge.svg`, { headers });
			expect(badge.status).toBe(429);
			const other = await fetch(`${server.origin}/verify?number=${FIVE_STAR}`, {
				headers: { 'x-real-ip': '10.3.0.1' }
			});
			expect(other.status).toBe(200);
		}
	});

	it('answers bad input with 400 or 404 and a message, never 5xx', async () => {
		const headers = { 'x-real-ip': '10.4.0.1', cookie: 'PARAGLIDE_LOCALE=en' };
		const long = 'X'.repeat(101);
		for (const [path, status] of [
			['/verify/demo?q=%00', 400],
			[`/verify?number=${long}`, 400],
			[`/verify/demo/${FIVE_STAR}?on=2026-13-45`, 400],
			[`/verify/demo/${long}`, 400],
			[`/verify/demo/${long}/badge.svg`, 400],
			['/verify/no-such-body', 404],
			['/verify/demo/NOPE-0000', 404],
			['/verify/demo/NOPE-0000/badge.svg', 404]
		] as const) {
			const answer = await fetch(`${server.origin}${path}`, { headers });
			expect(answer.status, path).toBe(status);
		}
		const missing = await fetch(`${server.origin}/verify/demo/NOPE-0000`, { headers });
		expect(await missing.text()).toContain(
			'Demo Certification Body has no certificate numbered NOPE-0000.'
		);
	});

	it('passes axe with no serious or critical violation on the public pages, in both languages', async () => {
		for (const locale of ['zh-CN', 'en'] as const) {
			const { context, page } = await visitor(locale, 1280, { bypassCSP: true });
			for (const path of [
				'/verify',
				`/verify?number=${FIVE_STAR}`,
				'/verify?number=NOPE-0000',
				`/verify/demo?q=${encodeURIComponent('厦门')}`,
				`/verify/demo/${FIVE_STAR}?on=2026-01-01`
			]) {
				const answer = await open(page, path);
				expect(answer?.status(), path).toBe(200);
				await page.evaluate(AXE_SOURCE);
				const violations = await page.evaluate(async () => {
					const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
					const result = await axe.run(document, {
						runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }
					});
					return result.violations
						.filter((v) => v.impact === 'serious' || v.impact === 'critical')
						.map((v) => `${v.id}: ${v.nodes.map((n) => String(n.target)).join(', ')}`);
				});
				expect(violations, `${locale} ${path}`).toEqual([]);
			}
			await context.close();
		}
	});
});
