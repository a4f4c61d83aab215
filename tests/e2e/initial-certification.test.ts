import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildApp, startBuiltApp, type RunningServer } from '../support/server';
import {
	addDays,
	addMonths,
	BrowserPeople,
	launchBrowser,
	open,
	seriousViolations,
	todayInShanghai
} from '../support/browser';
import { usccCheckCharacter } from '../../src/lib/server/domain/uscc';

/*
 * Issue 12 item 1, through the UI only: the initial certification of a new organisation. An
 * evaluator registers the organisation, plans, runs and reports its initial evaluation; the
 * team scores it (issue 12 item 2), the decision maker finds it in "awaiting a decision", which
 * leads to the grant page, where the grade the scores give is proposed and kept, and grants; the certificate is issued with the next number of the demo body's pattern
 * (DCB-{standard}-{year}-{seq:4}), says it was granted after that evaluation, and the
 * evaluation is closed and names it.
 */

const ORGANISATION = 'Xiamen Initial Grant Services Co.';
const SCOPE = 'After-sales service of household appliances (installation, repair)';
const REASON = 'The initial evaluation found the service system conforming.';
const STEP = 60_000;

const first17 = '91350206MA2XGRT01';
const USCC = first17 + usccCheckCharacter(first17);

describe('the initial certification of a new organisation, from evaluation to granted certificate', () => {
	let server: RunningServer;
	let browser: Browser;
	let people: BrowserPeople;
	let evaluator: Page;
	let decider: Page;
	let evaluationPath = '';
	const today = todayInShanghai();

	beforeAll(async () => {
		buildApp();
		server = await startBuiltApp();
		browser = await launchBrowser();
		people = new BrowserPeople(browser, server.origin);
	}, 300_000);

	afterAll(async () => {
		await people?.close();
		await browser?.close();
		await server?.stop();
	});

	const signIn = (email: string) => people.signIn(email, { timeout: 15_000, landing: 'dashboard' });

	it(
		'lets the evaluator register the organisation and run its initial evaluation to the report',
		async () => {
			evaluator = await signIn('evaluator@demo.test');
			await open(evaluator, '/organisations/new');
			await evaluator.getByLabel('Legal name').fill(ORGANISATION);
			await evaluator.getByLabel('Unified social credit code').fill(USCC);
			await evaluator.getByLabel('Address').fill('Xiamen, Huli District');
			await evaluator.getByRole('button', { name: 'Create organisation' }).click();
			await evaluator.waitForURL(/\/organisations\/[0-9a-f-]{36}/);
			await evaluator.waitForSelector('body[data-hydrated]');
			// Evaluators no longer type certificates in: importing is the admin's.
			expect(
				await evaluator.getByRole('link', { name: 'Import an existing certificate' }).count()
			).toBe(0);

			await open(evaluator, '/evaluations/new');
			await evaluator.getByLabel('Kind').selectOption('initial');
			await evaluator.getByLabel('Organisation').selectOption({ label: ORGANISATION });
			const standard = evaluator.getByLabel('Standard');
			const option = standard.locator('option', { hasText: 'GB/T 27922' });
			await standard.selectOption((await option.getAttribute('value')) ?? '');
			await evaluator.getByLabel('Window starts').fill(today);
			await evaluator.getByLabel('Window ends').fill(addDays(today, 1));
			await evaluator.getByRole('checkbox', { name: /李华/ }).check();
			await evaluator.getByLabel('Lead').selectOption({ label: '李华' });
			await evaluator.getByRole('button', { name: 'Plan evaluation' }).click();
			await evaluator.waitForURL(/\/evaluations\/[0-9a-f-]{36}$/);
			await evaluator.waitForSelector('body[data-hydrated]');
			evaluationPath = new URL(evaluator.url()).pathname;

			await evaluator.getByRole('button', { name: 'Start the evaluation' }).click();
			await evaluator.getByTestId('evaluation-status').filter({ hasText: 'In progress' }).waitFor();
			// The team scores the standard's sheet (4.1 = 20, 4.2 = 30, 4.3 = 20, 4.4 = 30 points in
			// the demo): 18 + 27 + 18 + 27 = 90, which the server's rule grades 四星 (≥ 90).
			const scoring = evaluator.getByTestId('scoring');
			const inputs = scoring.locator('input[name="score"]');
			expect(await inputs.count()).toBe(4);
			for (const [i, score] of ['18', '27', '18', '27'].entries()) await inputs.nth(i).fill(score);
			await scoring.getByRole('button', { name: 'Save scores' }).click();
			await scoring.getByRole('status').filter({ hasText: 'Scores saved.' }).waitFor();
			const result = scoring.getByTestId('scoring-result');
			expect(await result.locator('.total').textContent()).toContain('90');
			expect(await result.textContent()).toContain('Four stars');
			await evaluator.getByRole('button', { name: 'Issue the report' }).click();
			const dialog = evaluator.getByRole('dialog', { name: 'Issue the report?' });
			await dialog.getByRole('button', { name: 'Issue the report' }).click();
			await evaluator
				.getByTestId('evaluation-status')
				.filter({ hasText: 'Report issued' })
				.waitFor();
			// It awaits a grant; the evaluator cannot take it.
			const awaits = evaluator.getByTestId('awaits-grant');
			expect(await awaits.textContent()).toContain('awaits its grant decision');
			expect(await awaits.getByRole('link').count()).toBe(0);
		},
		STEP
	);

	it(
		'leads the decision maker from "awaiting a decision" to the grant, where the scored grade is proposed',
		async () => {
			decider = await signIn('decider@demo.test');
			await open(decider, '/queues/awaiting-decision');
			const row = decider.getByRole('row').filter({ hasText: ORGANISATION });
			await row.getByRole('link').first().click();
			await decider.waitForURL(`**${evaluationPath}/grant`);
			await decider.waitForSelector('body[data-hydrated]');
			expect(await decider.getByRole('heading', { level: 1 }).textContent()).toContain(
				'Grant the certification'
			);
			const number = decider.locator('dt:text-is("Certificate number") + dd');
			expect(((await number.textContent()) ?? '').trim()).toMatch(
				new RegExp(`^DCB-27922-${today.slice(0, 4)}-\\d{4}$`)
			);

			// A new page: no serious or critical WCAG 2.1 AA violation (as tests/e2e/accessibility.test.ts).
			expect((await seriousViolations(decider)).map((v) => v.id)).toEqual([]);
			// For people to look at (not committed), as tests/e2e/screenshots.test.ts leaves them.
			for (const width of [1280, 390]) {
				await decider.setViewportSize({ width, height: 900 });
				await decider.screenshot({
					path: `test-output/screenshots/grant-${width}.png`,
					fullPage: true
				});
			}
			await decider.setViewportSize({ width: 1280, height: 900 });
			const form = decider.getByRole('form', { name: 'Grant decision' });
			await form.getByLabel('Scope').fill(SCOPE);
			// The grade the scores give is proposed and preselected; the decision maker keeps it.
			expect(await decider.getByTestId('grade-proposal').textContent()).toContain('Four stars');
			const grade = form.getByLabel('Grade');
			const preselected = await grade.evaluate((select: HTMLSelectElement) =>
				select.selectedOptions[0]?.textContent?.trim()
			);
			expect(preselected).toBe('Four stars');
			expect(await form.textContent()).toContain('score 90');
			await form.getByLabel('Reason').fill(REASON);
			await form.getByRole('button', { name: 'Grant and issue the certificate' }).click();
			const dialog = decider.getByRole('dialog', { name: 'Grant the certification?' });
			expect(await dialog.textContent()).toContain(ORGANISATION);
			await dialog.getByRole('button', { name: 'Grant and issue the certificate' }).click();
			await decider.waitForURL(/\/certificates\/[0-9a-f-]{36}\?saved=granted$/);
			await decider.waitForSelector('body[data-hydrated]');
		},
		STEP
	);

	it(
		'shows the certificate granted after the evaluation, with its number, grade and validity',
		async () => {
			await decider.screenshot({
				path: 'test-output/screenshots/granted-1280.png',
				fullPage: true
			});
			const granted = await decider.getByTestId('certificate-granted').textContent();
			const number = /DCB-27922-\d{4}-\d{4}/.exec(granted ?? '')?.[0] ?? '';
			expect(number).toMatch(new RegExp(`^DCB-27922-${today.slice(0, 4)}-\\d{4}$`));
			expect(await decider.getByRole('heading', { level: 1 }).textContent()).toContain(number);
			const origin = decider.getByTestId('certificate-origin');
			expect(await origin.textContent()).toContain(`Granted on ${today}`);
			expect(await origin.getByRole('link').getAttribute('href')).toBe(evaluationPath);
			expect(await decider.locator('dd.grade').textContent()).toContain('Four stars');
			expect(await decider.locator('dd.scope').textContent()).toContain(SCOPE);
			const expires = decider.locator('dt:text-is("Expires on") + dd');
			expect(((await expires.textContent()) ?? '').trim()).toBe(addDays(addMonths(today, 36), -1));
			expect(await decider.getByTestId('certificate-history').textContent()).toContain('Grant');

			// The evaluation is closed by its decision and names its certificate.
			await open(evaluator, evaluationPath);
			await evaluator.getByTestId('evaluation-status').filter({ hasText: 'Closed' }).waitFor();
			expect(await evaluator.locator('dl.facts').getByRole('link', { name: number }).count()).toBe(
				1
			);
			expect(await evaluator.getByTestId('awaits-grant').count()).toBe(0);
		},
		STEP
	);
});
