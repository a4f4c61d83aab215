import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserSuite, open as openPage } from '../support/browser';

/*
 * Issue 12 item 2 in Chromium on the demo story: GB/T 27922's scoring sheet in the catalogue,
 * the surveillance's scores on its evaluation page (95, capped at four stars by its major), and
 * the decision page proposing "regrade to 四星", preselected; at 1280 and 390 px.
 */

const FIVE_STAR = 'DCB-27922-2025-0001';
const SHOTS = '/tmp/shots-scoring';

describe('scoring and grades (Chromium, demo data)', () => {
	const suite = browserSuite();

	const signedIn = (email: string, width = 1280) => suite.people.signIn(email, { width });
	const open = (page: Page, path: string) => openPage(page, path, { status: 200 });

	for (const width of [1280, 390]) {
		it(`shows the sheet, the scores and the proposal at ${width} px`, async () => {
			const admin = await signedIn('admin@demo.test', width);
			await open(admin, '/catalogue');
			await admin
				.getByRole('link', { name: /GB\/T 27922-2011/ })
				.first()
				.click();
			await admin.waitForURL(/\/catalogue\/[0-9a-f-]{36}$/);
			await admin.getByRole('link', { name: 'Scoring sheet' }).click();
			await admin.waitForSelector('form[aria-label="Scoring sheet"]');
			expect(await admin.locator('tfoot').innerText()).toContain('Points of the sheet: 100');
			await admin.screenshot({ path: `${SHOTS}/sheet-${width}.png`, fullPage: true });
			await admin.context().close();

			const decider = await signedIn('decider@demo.test', width);
			await open(decider, '/certificates');
			await decider.getByRole('link', { name: FIVE_STAR }).first().click();
			await decider.waitForURL(/\/certificates\/[0-9a-f-]{36}$/);
			await open(decider, `${new URL(decider.url()).pathname}/decide`);
			const surveillance = await decider.$eval(
				'#decision-evaluation',
				(select) =>
					[...(select as HTMLSelectElement).options].find((o) => /Surveillance/.test(o.text))
						?.value ?? ''
			);
			await decider.selectOption('#decision-evaluation', surveillance);
			const proposal = decider.getByTestId('grade-proposal');
			await proposal.waitFor();
			expect(await proposal.innerText()).toContain('Regrade to Four stars');
			expect(await proposal.innerText()).toContain('Total 95 of 100');
			expect(await decider.locator('input[name="kind"][value="regrade"]').isChecked()).toBe(true);
			expect(
				await decider.locator('select[name="newGradeLevelId"] option:checked').innerText()
			).toContain('Four stars');
			await decider.screenshot({ path: `${SHOTS}/decide-${width}.png`, fullPage: true });

			// The evaluation's page: the team's scores, read-only once the report is out.
			await open(decider, `/evaluations/${surveillance}`);
			const result = await decider.getByTestId('scoring-result').innerText();
			expect(result).toContain('95');
			expect(result).toContain('Four stars');
			expect(await decider.getByTestId('scoring').innerText()).toMatch(/\d{4}-S1-NC-4/);
			await decider.screenshot({ path: `${SHOTS}/evaluation-${width}.png`, fullPage: true });
			await decider.context().close();
		}, 120_000);
	}
});
