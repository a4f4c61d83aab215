import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildApp, startBuiltApp, type RunningServer } from '../support/server';
import { addDays, BrowserPeople, launchBrowser, open, todayInShanghai } from '../support/browser';

/*
 * The whole nonconformity story, through the UI only: an evaluator plans and runs a surveillance
 * evaluation and raises a major nonconformity; the certified organisation responds, uploads and
 * submits evidence; the evaluator accepts the plan, rejects the first evidence and verifies the
 * second; a decision maker maintains the certificate. Each person works in a browser context of
 * their own.
 */

const CERTIFICATE = 'DCB-27922-2025-0001';
const STATEMENT = 'No procedure for handling customer complaints';
const OBJECTIVE_EVIDENCE =
	'Asked for the complaint-handling procedure, the service manager could not show one; three complaints of March were answered by telephone with no record.';
const REJECTION =
	'The procedure is not signed and shows no approval date; send the approved version.';
const DECISION_REASON = 'The major nonconformity was corrected and verified effective.';
const STEP = 60_000;

/** A minimal PDF (the server sniffs the bytes: they must start with %PDF-). */
function pdf(text: string): Buffer {
	return Buffer.from(
		`%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n% ${text}\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n`
	);
}

describe('the nonconformity story, from the evaluation to the certification decision', () => {
	let server: RunningServer;
	let browser: Browser;
	let people: BrowserPeople;

	let evaluator: Page;
	let organisation: Page;
	let decider: Page;

	const today = todayInShanghai();
	const tomorrow = addDays(today, 1);
	let evaluationPath = '';
	let findingPath = '';
	let reference = '';
	let dueOn = '';

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

	/**
	 * A person of their own: a browser context, in English unless told otherwise (else the body's
	 * language), signed in. Every wait fails within 15 s, so a broken step does not hold the later
	 * ones long.
	 */
	const signIn = (email: string, english = true) =>
		people.signIn(email, {
			locale: english ? 'en' : null,
			timeout: 15_000,
			landing: 'dashboard'
		});

	async function findingStatus(page: Page, status: string) {
		await page.getByTestId('finding-status').filter({ hasText: status }).waitFor();
	}

	async function timelineLabels(page: Page): Promise<string[]> {
		return (
			await page.locator('[data-testid=timeline] > li .timeline-head strong').allTextContents()
		).map((label) => label.trim());
	}

	/** Uploads one PDF through the finding page's uploader (on choose) and waits until it is accepted. */
	async function uploadEvidence(page: Page, name: string, content: Buffer) {
		const uploader = page.getByRole('form', { name: 'Upload evidence' });
		await uploader
			.getByLabel('Files', { exact: true })
			.setInputFiles({ name, mimeType: 'application/pdf', buffer: content });
		await uploader.getByRole('status').filter({ hasText: '1 accepted, 0 refused.' }).waitFor();
		// The page reloads its data: the file is listed as uploaded, not yet submitted.
		await page.getByRole('link', { name }).first().waitFor();
		await page.getByRole('button', { name: `Remove ${name}` }).waitFor();
	}

	it(
		'lets the evaluator plan and start a surveillance evaluation',
		async () => {
			evaluator = await signIn('evaluator@demo.test');
			await open(evaluator, '/evaluations/new');

			await evaluator.getByLabel('Kind').selectOption('surveillance');
			const certificate = evaluator.getByLabel('Certificate');
			const option = certificate.locator('option', { hasText: CERTIFICATE });
			await certificate.selectOption((await option.getAttribute('value')) ?? '');
			await evaluator.getByLabel('Window starts').fill(today);
			await evaluator.getByLabel('Window ends').fill(tomorrow);
			await evaluator.getByRole('checkbox', { name: /李华/ }).check();
			await evaluator.getByLabel('Lead').selectOption({ label: '李华' });
			await evaluator.getByRole('button', { name: 'Plan evaluation' }).click();

			await evaluator.waitForURL(/\/evaluations\/[0-9a-f-]{36}$/);
			await evaluator.waitForSelector('body[data-hydrated]');
			evaluationPath = new URL(evaluator.url()).pathname;
			expect(await evaluator.getByRole('heading', { level: 1 }).textContent()).toContain(
				'厦门立顺捷机电服务有限公司'
			);
			expect(await evaluator.getByTestId('evaluation-status').textContent()).toContain('Planned');

			// Opened from the list too.
			await open(evaluator, '/evaluations');
			await evaluator.locator(`a[href="${evaluationPath}"]`).first().click();
			await evaluator.waitForURL(`**${evaluationPath}`);
			await evaluator.waitForSelector('body[data-hydrated]');

			await evaluator.getByRole('button', { name: 'Start the evaluation' }).click();
			await evaluator.getByTestId('evaluation-status').filter({ hasText: 'In progress' }).waitFor();
			expect(await evaluator.getByRole('status').first().textContent()).toContain(
				'The evaluation has started.'
			);
		},
		STEP
	);

	it(
		'lets the evaluator record a major nonconformity due 30 days later, then issue the report',
		async () => {
			const record = evaluator.getByRole('form', { name: 'Record a finding' });
			await record.getByLabel('Kind').selectOption('nonconformity');
			await record.getByLabel('Grade').selectOption('major');
			expect(await evaluator.getByTestId('due-preview').textContent()).toContain(
				`Due on ${addDays(today, 30)} (30 days from today, from the scheme rules)`
			);
			await record.getByLabel('Clause').selectOption({ index: 1 });
			await record.getByLabel('Statement').fill(STATEMENT);
			await record.getByLabel('Objective evidence').fill(OBJECTIVE_EVIDENCE);
			await record.getByRole('button', { name: 'Record finding' }).click();

			const recorded = evaluator
				.getByRole('region', { name: 'Record a finding' })
				.getByRole('status')
				.filter({ hasText: 'recorded.' });
			await recorded.waitFor();
			reference = ((await recorded.textContent()) ?? '').trim().replace(/ recorded\.$/, '');
			// Issue 10 §10: named after its evaluation, the certificate's second surveillance of
			// the cycle (the demo held the first), so it is no second "NC-1" for the organisation.
			expect(reference).toBe(`${today.slice(0, 4)}-S2-NC-1`);
			expect(await evaluator.getByTestId('evaluation-reference').textContent()).toContain(
				`${today.slice(0, 4)}-S2`
			);

			const row = evaluator
				.getByTestId('evaluation-findings')
				.getByRole('row')
				.filter({ hasText: STATEMENT });
			expect(await row.textContent()).toContain(reference);
			expect(await row.textContent()).toContain('Major');
			expect(await row.textContent()).toContain(addDays(today, 30));
			findingPath = (await row.getByRole('link', { name: reference }).getAttribute('href')) ?? '';
			expect(findingPath).toMatch(/^\/findings\/[0-9a-f-]{36}$/);

			await evaluator.getByRole('button', { name: 'Issue the report' }).click();
			// Irreversible: asked first, saying what will happen; cancelling changes nothing.
			let dialog = evaluator.getByRole('dialog', { name: 'Issue the report?' });
			expect(await dialog.textContent()).toContain('visible to the organisation');
			await dialog.getByRole('button', { name: 'Cancel' }).click();
			await dialog.waitFor({ state: 'detached' });
			expect(await evaluator.getByTestId('evaluation-status').textContent()).toContain(
				'In progress'
			);
			await evaluator.getByRole('button', { name: 'Issue the report' }).click();
			dialog = evaluator.getByRole('dialog', { name: 'Issue the report?' });
			await dialog.getByRole('button', { name: 'Issue the report' }).click();
			await evaluator
				.getByTestId('evaluation-status')
				.filter({ hasText: 'Report issued' })
				.waitFor();

			// The finding's page: due on the day it was raised plus the scheme rules' 30 days.
			await open(evaluator, findingPath);
			await findingStatus(evaluator, 'Open');
			const facts = evaluator.locator('dl.facts').first();
			const raised = (await facts.locator('dt:text-is("Raised") + dd').textContent()) ?? '';
			const raisedOn = raised.trim().slice(0, 10);
			expect(raised).toContain('李华');
			dueOn = ((await facts.locator('dt:text-is("Due") + dd').textContent()) ?? '')
				.trim()
				.slice(0, 10);
			expect(dueOn).toBe(addDays(raisedOn, 30));
			expect(await evaluator.getByTestId('waiting-for').textContent()).toContain(
				'Waiting for: the organisation'
			);
		},
		STEP
	);

	it(
		'lets the organisation find the finding in "My actions" and submit its response',
		async () => {
			organisation = await signIn('org@demo.test');
			await open(organisation, '/my-actions');
			const item = organisation
				.getByTestId('needs-you')
				.getByRole('listitem')
				.filter({ has: organisation.locator(`a[href="${findingPath}"]`) });
			expect(await item.textContent()).toContain(STATEMENT);
			expect(await item.textContent()).toContain(`Due ${dueOn}`);
			expect(await item.textContent()).toContain('Major nonconformity');
			expect(await item.textContent()).toContain(`Surveillance evaluation of ${today}`);
			// Every card and row of the organisation's list names a finding of its own.
			const references = await organisation
				.locator('main a[href^="/findings/"] .mono, main a.mono[href^="/findings/"]')
				.allTextContents();
			expect(references.length).toBeGreaterThan(4);
			expect(new Set(references.map((r) => r.trim())).size).toBe(references.length);
			await item.getByRole('link', { name: 'Respond' }).click();
			await organisation.waitForURL(`**${findingPath}`);
			await organisation.waitForSelector('body[data-hydrated]');
			await findingStatus(organisation, 'Open');

			const respond = organisation.getByRole('form', { name: 'Your response' });
			await respond
				.getByLabel('Correction')
				.fill('Wrote down the three March complaints and called each customer back.');
			await respond
				.getByLabel('Root cause')
				.fill('Complaints were never defined as a process; nobody owned them.');
			await respond
				.getByLabel('Corrective action')
				.fill(
					'Write and approve a complaint-handling procedure, train the service staff, keep a complaint register.'
				);
			await respond.getByLabel('Owner').fill('陈经理 (service manager)');
			// A date past the deadline is warned of while it is typed; the deadline does not move.
			await respond.getByLabel('Target date').fill(addDays(dueOn, 5));
			await respond.getByTestId('target-after-deadline').waitFor();
			expect(await respond.getByTestId('target-after-deadline').textContent()).toContain(dueOn);
			await respond.getByLabel('Target date').fill(addDays(today, 20));
			await respond.getByTestId('target-after-deadline').waitFor({ state: 'detached' });
			await respond.getByRole('button', { name: 'Submit the response' }).click();

			await organisation
				.getByRole('status')
				.filter({ hasText: 'Your response was submitted' })
				.waitFor();
			await findingStatus(organisation, 'Response submitted');
			expect(await organisation.getByTestId('waiting-for').textContent()).toContain(
				'Waiting for: the certification body'
			);
		},
		STEP
	);

	it(
		'lets the evaluator accept the plan',
		async () => {
			await open(evaluator, findingPath);
			await findingStatus(evaluator, 'Response submitted');
			const review = evaluator.getByRole('form', { name: "Review the organisation's plan" });
			await review
				.getByLabel('Comment')
				.fill('The plan addresses the root cause; keep the register from now on.');
			await review.getByRole('button', { name: 'Accept the plan' }).click();
			await evaluator
				.getByRole('status')
				.filter({ hasText: 'Your review was recorded.' })
				.waitFor();
			await findingStatus(evaluator, 'Action in progress');
		},
		STEP
	);

	it(
		'lets the organisation upload evidence, download it and submit it',
		async () => {
			await open(organisation, findingPath);
			await findingStatus(organisation, 'Action in progress');
			await uploadEvidence(
				organisation,
				'complaints-procedure.pdf',
				pdf('complaints procedure, draft')
			);

			// The uploaded file downloads, as an attachment, with the organisation user's session.
			const link = organisation.getByRole('link', { name: 'complaints-procedure.pdf' }).first();
			const href = (await link.getAttribute('href')) ?? '';
			expect(href).toMatch(/^\/api\/evidence\/file\//);
			const download = await organisation.request.get(`${server.origin}${href}`);
			expect(download.status()).toBe(200);
			expect(download.headers()['content-disposition']).toContain('attachment');
			expect((await download.body()).subarray(0, 5).toString()).toBe('%PDF-');

			const submit = organisation.getByRole('form', { name: 'Submit evidence' });
			await submit
				.getByRole('textbox', { name: /^Note/ })
				.fill('The complaint-handling procedure, as written.');
			await submit.getByRole('button', { name: 'Submit evidence (1 file)' }).click();
			await organisation
				.getByRole('status')
				.filter({ hasText: 'The evidence was submitted' })
				.waitFor();
			await findingStatus(organisation, 'Evidence submitted');
		},
		STEP
	);

	it(
		'lets the evaluator reject the evidence with a reason',
		async () => {
			await open(evaluator, findingPath);
			await findingStatus(evaluator, 'Evidence submitted');
			const review = evaluator.getByRole('form', { name: 'Verify the submitted evidence' });
			expect(
				await evaluator.getByRole('link', { name: 'complaints-procedure.pdf' }).count()
			).toBeGreaterThan(0);
			await review.getByLabel('Comment').fill(REJECTION);
			await review.getByRole('button', { name: 'Reject the evidence, with the comment' }).click();
			await evaluator
				.getByRole('status')
				.filter({ hasText: 'Your verdict on the evidence was recorded.' })
				.waitFor();
			await findingStatus(evaluator, 'Action in progress');
		},
		STEP
	);

	it(
		'shows the organisation why, and takes a second upload and submission',
		async () => {
			await open(organisation, '/my-actions');
			const item = organisation
				.getByTestId('needs-you')
				.getByRole('listitem')
				.filter({ has: organisation.locator(`a[href="${findingPath}"]`) });
			expect(await item.textContent()).toContain(
				'Your evidence was not accepted. The certification body says:'
			);
			expect(await item.textContent()).toContain(REJECTION);
			await item.getByRole('link', { name: 'Add evidence' }).click();
			await organisation.waitForURL(`**${findingPath}`);
			await organisation.waitForSelector('body[data-hydrated]');

			const rejection = organisation.getByTestId('last-rejection');
			expect(await rejection.textContent()).toContain(
				'Your evidence was not accepted. The certification body says:'
			);
			expect(await rejection.textContent()).toContain(REJECTION);
			expect(await rejection.textContent()).toContain('李华');

			await uploadEvidence(
				organisation,
				'complaints-procedure-approved.pdf',
				pdf('complaints procedure, approved and signed')
			);
			const submit = organisation.getByRole('form', { name: 'Submit evidence' });
			await submit
				.getByRole('textbox', { name: /^Note/ })
				.fill('The approved procedure, signed by the general manager.');
			await submit.getByRole('button', { name: 'Submit evidence (1 file)' }).click();
			await organisation
				.getByRole('status')
				.filter({ hasText: 'The evidence was submitted' })
				.waitFor();
			await findingStatus(organisation, 'Evidence submitted');
		},
		STEP
	);

	it(
		'lets the evaluator verify the corrective action effective, which closes the finding',
		async () => {
			await open(evaluator, findingPath);
			await findingStatus(evaluator, 'Evidence submitted');
			const review = evaluator.getByRole('form', { name: 'Verify the submitted evidence' });
			await review.getByLabel('Comment').fill('Approved procedure seen; register in use.');
			await review.getByRole('button', { name: 'Verify effective and close' }).click();
			const confirmClose = evaluator.getByRole('dialog', { name: 'Verify effective and close?' });
			expect(await confirmClose.textContent()).toContain('cannot be reopened');
			await confirmClose.getByRole('button', { name: 'Verify effective and close' }).click();
			await evaluator
				.getByRole('status')
				.filter({ hasText: 'Your verdict on the evidence was recorded.' })
				.waitFor();
			await findingStatus(evaluator, 'Closed');

			await open(organisation, '/my-actions');
			const mine = organisation.locator(`a[href="${findingPath}"]`);
			const closed = organisation
				.getByRole('region', { name: 'Recently closed' })
				.getByRole('row')
				.filter({ has: mine });
			expect(await closed.count()).toBe(1);
			expect(await closed.textContent()).toContain(reference);
			expect(await organisation.getByTestId('needs-you').locator(mine).count()).toBe(0);
		},
		STEP
	);

	it(
		'lets the decision maker maintain the certificate after this evaluation',
		async () => {
			// The demo body works in Chinese; the decision maker switches to English.
			decider = await signIn('decider@demo.test', false);
			expect(await decider.getAttribute('html', 'lang')).toBe('zh-CN');
			await open(decider, '/certificates');
			await decider.getByRole('link', { name: CERTIFICATE }).click();
			await decider.waitForURL(/\/certificates\/[0-9a-f-]{36}$/);
			await decider.waitForSelector('body[data-hydrated]');
			const certificatePath = new URL(decider.url()).pathname;
			await decider.getByRole('link', { name: '作出认证决定' }).waitFor();
			await decider.getByRole('button', { name: '切换为英文' }).click();
			await decider.waitForFunction(() => document.documentElement.lang === 'en');
			await decider.waitForSelector('body[data-hydrated]');

			await decider.getByRole('link', { name: 'Take a decision' }).first().click();
			await decider.waitForURL(`**${certificatePath}/decide`);
			await decider.waitForSelector('body[data-hydrated]');

			const form = decider.getByRole('form', { name: 'Take a decision' });
			await form.getByRole('radio', { name: /Maintain/ }).check();
			const evaluation = form.getByLabel('After the evaluation');
			const option = evaluation.locator('option', { hasText: `${today} to ${tomorrow}` });
			expect(await option.textContent()).toContain('Surveillance evaluation');
			await evaluation.selectOption((await option.getAttribute('value')) ?? '');
			await form.getByText("This evaluation's nonconformities allow a decision.").waitFor();
			await form.getByLabel('Reason').fill(DECISION_REASON);
			await form.getByRole('button', { name: 'Take the decision: Maintain' }).click();
			const confirmDecision = decider.getByRole('dialog', { name: 'Take the decision: Maintain?' });
			expect(await confirmDecision.textContent()).toContain(CERTIFICATE);
			await confirmDecision.getByRole('button', { name: 'Take the decision: Maintain' }).click();

			await decider.waitForURL(`**${certificatePath}?saved=decided`);
			await decider.waitForSelector('body[data-hydrated]');
			// The result is said, and the decision is listed with the others.
			expect(await decider.getByTestId('decision-taken').textContent()).toContain('Maintain');
			const listed = decider
				.getByTestId('certificate-decisions')
				.getByRole('row')
				.filter({ hasText: DECISION_REASON });
			expect(await listed.count()).toBe(1);
			// Maintaining changes no status, grade or scope, so the "Certificate history" table (one
			// row per such change) has no row for it; the decision shows in the certificate's
			// timeline, with its maker and reason.
			const decision = decider
				.getByTestId('timeline')
				.getByRole('listitem')
				.filter({ hasText: 'Decision: certification maintained' });
			expect(await decision.count()).toBe(1);
			expect(await decision.textContent()).toContain(DECISION_REASON);
			expect(await decision.textContent()).toContain('王强');
			expect(await decider.locator('.pill.active').first().textContent()).toContain('Active');
		},
		STEP
	);

	it(
		"shows every step of the story in the finding's timeline",
		async () => {
			await open(organisation, findingPath);
			await findingStatus(organisation, 'Closed');
			expect(await timelineLabels(organisation)).toEqual([
				'Finding raised',
				'Response submitted',
				'Response accepted',
				'Evidence file uploaded',
				'Evidence submitted',
				'Evidence rejected',
				'Evidence file uploaded',
				'Evidence submitted',
				'Verified effective and closed'
			]);
			const history = organisation.getByRole('region', { name: 'History' });
			expect(await history.getByText('Verified effective').count()).toBeGreaterThan(0);
			expect(await history.getByText('Not accepted').count()).toBeGreaterThan(0);
			await organisation.screenshot({ path: '/tmp/certtrack-finding-story.png', fullPage: true });
		},
		STEP
	);
});
