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
// SCREENSHOT_MEDIA=print: the pages as printed on A4 (about 720 CSS px between the margins).
const PRINT = process.env.SCREENSHOT_MEDIA === 'print';
const WIDTHS = PRINT ? [720] : [1280, 390];
const LOCALES = ['zh-CN', 'en'];

mkdirSync(outDir, { recursive: true });
const browser = await launchBrowser();
try {
	for (const spec of specs) {
		const email = spec.slice(0, spec.indexOf(':'));
		const pathList = spec.slice(spec.indexOf(':') + 1);
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
			// After signing in: the print stylesheet hides forms, the login form too.
			if (PRINT) await page.emulateMedia({ media: 'print' });
			for (const path of pathList.split(',')) {
				for (const width of WIDTHS) {
					await page.setViewportSize({ width, height: 900 });
					const list = path.startsWith('first:') ? path.slice('first:'.length) : path;
					await page.goto(new URL(list, base).href);
					await page.waitForLoadState('networkidle');
					// `first:/findings` stands for the first detail page that list links to.
					if (path.startsWith('first:')) {
						const href = await page
							.locator('main a[href^="/"]')
							.evaluateAll(
								(links, list) =>
									links
										.map((a) => a.getAttribute('href') ?? '')
										.find((h) => h.startsWith(`${list}/`) && h.length > 40),
								list
							);
						if (href) await page.goto(new URL(href, base).href);
						await page.waitForLoadState('networkidle');
					}
					const name = `${email.split('@')[0]}${path.replaceAll('/', '_').replace(':', '-')}-${locale}-${width}.png`;
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
