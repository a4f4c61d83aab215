/*
 * Screenshots of pages as their users see them, for review before an issue is resolved:
 * each (page, person) at 1280 and 390 px, in Chinese and English.
 *
 *   node --import tsx scripts/screenshots.ts http://127.0.0.1:3000 /tmp/shots \
 *     admin@demo.test:/dashboard,/mailbox org@demo.test:/obligations
 *
 * Signs in through the login form with the demo password; multi-tenant people are not handled.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser } from '../tests/support/browser';

const [base, outDir, ...specs] = process.argv.slice(2);
if (!base || !outDir || specs.length === 0) {
	console.error('usage: screenshots.ts <base-url> <out-dir> <email>:<path>[,<path>…] …');
	process.exit(2);
}
const PASSWORD = process.env.DEMO_PASSWORD ?? 'demo-password-2026';
const WIDTHS = [1280, 390];
const LOCALES = ['zh-CN', 'en'];

mkdirSync(outDir, { recursive: true });
const browser = await launchBrowser();
try {
	for (const spec of specs) {
		const [email, pathList] = spec.split(':');
		for (const locale of LOCALES) {
			const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
			await context.addCookies([{ name: 'PARAGLIDE_LOCALE', value: locale, url: base }]);
			const page = await context.newPage();
			await page.goto(new URL('/login', base).href);
			await page.fill('input[name=email]', email);
			await page.fill('input[name=password]', PASSWORD);
			await Promise.all([
				page.waitForURL((url) => !url.pathname.startsWith('/login')),
				page.press('input[name=password]', 'Enter')
			]);
			for (const path of pathList.split(',')) {
				for (const width of WIDTHS) {
					await page.setViewportSize({ width, height: 900 });
					await page.goto(new URL(path, base).href);
					await page.waitForLoadState('networkidle');
					const name = `${email.split('@')[0]}${path.replaceAll('/', '_')}-${locale}-${width}.png`;
					await page.screenshot({ path: join(outDir, name), fullPage: true });
					console.log(join(outDir, name));
				}
			}
			await context.close();
		}
	}
} finally {
	await browser.close();
}
