import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, startDemoApp, type Browserless } from '../support/http';
import type { RunningServer } from '../support/server';
import { PDF_BYTES } from '../support/evidence-factories';
import { addDays, todayInZone } from '../../src/lib/server/domain/calendar';
import { translate } from '../../src/lib/server/i18n/translate';

/*
 * The finding page's form actions through HTTP, as a browser posts them, on the demo world: the
 * surveillance evaluation of 厦门立顺捷机电服务有限公司 (report issued) with NC-1 in action,
 * NC-2 and NC-4 awaiting the review of their plans and NC-3 awaiting the verdict on its
 * evidence. evaluator@demo.test leads that evaluation; org@demo.test answers for the
 * organisation. Every action is taken once, and the refusals come back as 4xx with the message
 * in the user's language.
 */

const ZONE = 'Asia/Shanghai';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

describe('finding page forms over HTTP', () => {
	let server: RunningServer;
	let evaluator: Browserless;
	let org: Browserless;
	/** The demo surveillance's nonconformities by reference. */
	const ids = new Map<string, string>();
	const today = todayInZone(new Date(), ZONE);

	/** The version the finding page shows `client` now (the hidden field of its forms). */
	async function versionOf(client: Browserless, id: string): Promise<string> {
		const response = await client.fetch(`/findings/${id}`);
		expect(response.status).toBe(200);
		const version = /name="version" value="(\d+)"/.exec(await response.text())?.[1];
		if (!version) throw new Error(`no form with a version on /findings/${id}`);
		return version;
	}

	const path = (reference: string) => `/findings/${ids.get(reference)}`;

	beforeAll(async () => {
		server = await startDemoApp();
		evaluator = await signedIn(server, 'evaluator@demo.test');
		org = await signedIn(server, 'org@demo.test');
		// The surveillance's references (2026-S1-NC-1 …), by their last part: the list that holds four.
		const evaluations = await (await evaluator.fetch('/evaluations')).text();
		const evaluationIds = new Set(
			[...evaluations.matchAll(new RegExp(`href="/evaluations/(${UUID})"`, 'g'))].map((m) => m[1]!)
		);
		for (const evaluationId of evaluationIds) {
			const list = await (await evaluator.fetch(`/findings?evaluation=${evaluationId}`)).text();
			const found = new Map<string, string>();
			for (const match of list.matchAll(
				new RegExp(
					`href="/findings/(${UUID})"[^>]*>(?:<!--[^>]*-->)*\\s*\\d{4}-S\\d+-(NC-\\d+)`,
					'g'
				)
			))
				found.set(match[2]!, match[1]!);
			if (found.size === 4) for (const [reference, id] of found) ids.set(reference, id);
		}
		expect([...ids.keys()].sort()).toEqual(['NC-1', 'NC-2', 'NC-3', 'NC-4']);
	}, 300_000);

	afterAll(async () => {
		await server?.stop();
	});

	it('rejects a plan, takes the revised answer, and refuses a stale version with 409', async () => {
		const rejected = await evaluator.action(path('NC-2'), 'reviewResponse', {
			version: await versionOf(evaluator, ids.get('NC-2')!),
			verdict: 'reject',
			comment: '培训计划仍未按岗位分解，请补充岗前培训安排。'
		});
		expect(rejected).toMatchObject({
			status: 200,
			type: 'success',
			data: { form: 'reviewResponse', done: true }
		});
		// The rejection speaks to each reader as what they did or must do.
		const orgPage = await (await org.fetch(path('NC-2'))).text();
		expect(orgPage).toContain(translate('findings_rejected_response_title', 'zh-CN'));
		const reviewerPage = await (await evaluator.fetch(path('NC-2'))).text();
		expect(reviewerPage).toContain(translate('findings_sent_back_response_title', 'zh-CN'));
		expect(reviewerPage).not.toContain(translate('findings_rejected_response_title', 'zh-CN'));

		const version = await versionOf(org, ids.get('NC-2')!);
		const answer = {
			version,
			correction: '为 2 名新入职维修人员补做岗前培训并考核。',
			rootCause: '培训计划未按岗位分解。',
			correctiveAction: '按岗位分解年度培训计划，新增岗前培训并留存记录。',
			owner: '综合办公室',
			targetOn: addDays(today, 30)
		};
		const responded = await org.action(path('NC-2'), 'respond', answer);
		expect(responded).toMatchObject({
			status: 200,
			type: 'success',
			data: { form: 'respond', done: true }
		});

		const stale = await org.action(path('NC-2'), 'respond', answer);
		expect(stale.status).toBe(409);
		expect(stale.data).toMatchObject({
			form: 'respond',
			stale: true,
			errors: { _: translate('error_stale_version', 'zh-CN') },
			values: { owner: '综合办公室' }
		});
	});

	it('accepts a plan and moves its due date with a reason; a bad date is a 400 in the user language', async () => {
		const accepted = await evaluator.action(path('NC-4'), 'reviewResponse', {
			version: await versionOf(evaluator, ids.get('NC-4')!),
			verdict: 'accept',
			comment: ''
		});
		expect(accepted).toMatchObject({ status: 200, data: { form: 'reviewResponse', done: true } });

		const version = await versionOf(evaluator, ids.get('NC-4')!);
		const badDate = await evaluator.action(path('NC-4'), 'changeDue', {
			version,
			dueOn: '2026-02-30',
			reason: '备件进口延误'
		});
		expect(badDate.status).toBe(400);
		expect(badDate.data).toMatchObject({
			form: 'changeDue',
			errors: { dueOn: translate('evaluations_error_date_invalid', 'zh-CN') },
			values: { dueOn: '2026-02-30', reason: '备件进口延误' }
		});

		const moved = await evaluator.action(path('NC-4'), 'changeDue', {
			version,
			dueOn: addDays(today, 40),
			reason: '备件进口延误，经评价组长同意延期'
		});
		expect(moved).toMatchObject({ status: 200, data: { form: 'changeDue', done: true } });
	});

	it('schedules a follow-up check, in English for a user who chose English', async () => {
		const english = await signedIn(server, 'evaluator@demo.test');
		english.setCookie('PARAGLIDE_LOCALE', 'en');
		const version = await versionOf(english, ids.get('NC-1')!);
		const badDate = await english.action(path('NC-1'), 'followUp', {
			version,
			followUpOn: 'soon'
		});
		expect(badDate.status).toBe(400);
		expect(badDate.data).toMatchObject({
			form: 'followUp',
			errors: { followUpOn: translate('findings_date_invalid', 'en') }
		});
		const set = await english.action(path('NC-1'), 'followUp', {
			version,
			followUpOn: addDays(today, 100)
		});
		expect(set).toMatchObject({ status: 200, data: { form: 'followUp', done: true } });
	});

	it('uploads evidence through the streamed endpoint and submits it', async () => {
		const id = ids.get('NC-1')!;
		const upload = () => {
			const form = new FormData();
			form.append('effective_from', today);
			form.append('files', new Blob([PDF_BYTES], { type: 'application/pdf' }), '培训记录.pdf');
			return form;
		};
		const uploaded = await org.fetch(`/api/evidence/${id}`, {
			method: 'POST',
			body: upload(),
			headers: { origin: server.origin, accept: 'application/json' }
		});
		expect(uploaded.status).toBe(200);
		expect(await uploaded.json()).toMatchObject({ files: [{ name: '培训记录.pdf', ok: true }] });

		// Same-origin is the hook's rule for every POST, the upload included.
		const crossSite = await org.fetch(`/api/evidence/${id}`, {
			method: 'POST',
			body: upload(),
			headers: { origin: 'https://evil.example', accept: 'application/json' }
		});
		expect(crossSite.status).toBe(403);
		const notAnId = await org.fetch('/api/evidence/not-a-uuid', {
			method: 'POST',
			body: upload(),
			headers: { origin: server.origin, accept: 'application/json' }
		});
		expect(notAnId.status).toBe(404);

		const submitted = await org.action(path('NC-1'), 'submitEvidence', {
			version: await versionOf(org, id),
			note: '附岗前培训签到表与考核记录。'
		});
		expect(submitted).toMatchObject({
			status: 200,
			data: { form: 'submitEvidence', done: true }
		});
		const page = await (await org.fetch(`/findings/${id}`)).text();
		expect(page).toContain('培训记录.pdf');
	});

	it('verifies submitted evidence effective, closing the finding', async () => {
		const verified = await evaluator.action(path('NC-3'), 'reviewEvidence', {
			version: await versionOf(evaluator, ids.get('NC-3')!),
			verdict: 'verify_effective',
			comment: '已核实报名回执。'
		});
		expect(verified).toMatchObject({
			status: 200,
			data: { form: 'reviewEvidence', done: true }
		});
		const page = await (await evaluator.fetch(path('NC-3'))).text();
		expect(page).toContain(translate('findings_status_closed', 'zh-CN'));
	});

	it('answers a non-UUID with 404, a body that is no form with 400, and hides what is not theirs', async () => {
		expect((await evaluator.fetch('/findings/not-a-uuid')).status).toBe(404);
		// A hand-edited list filter is left out, not a failure.
		expect((await evaluator.fetch('/findings?status=lost&sort=sideways&q=NC')).status).toBe(200);
		const notAnId = await org.action('/findings/not-a-uuid', 'respond', { version: '1' });
		expect(notAnId.status).toBe(404);

		const plain = await evaluator.action(path('NC-4'), 'changeDue', 'dueOn=2027-01-01', {
			contentType: 'text/plain'
		});
		expect(plain.status).toBe(400);
		expect(plain.data).toMatchObject({
			form: 'changeDue',
			errors: { _: translate('error_form_unreadable', 'zh-CN') }
		});

		// A finding that is not the organisation's (the demo's other organisation has none, so an
		// id of no finding of theirs): not found, revealing nothing.
		const foreign = `/findings/${crypto.randomUUID()}`;
		expect((await org.fetch(foreign)).status).toBe(404);
		const answer = await org.action(foreign, 'respond', {
			version: '1',
			correction: 'x',
			rootCause: 'x',
			correctiveAction: 'x',
			owner: 'x',
			targetOn: addDays(today, 10)
		});
		expect(answer.status).toBe(404);
		expect(answer.data).toMatchObject({ errors: { _: translate('error_not_found', 'zh-CN') } });

		// The organisation does not take the body's steps.
		const orgReviews = await org.action(path('NC-4'), 'changeDue', {
			version: await versionOf(evaluator, ids.get('NC-4')!),
			dueOn: addDays(today, 50),
			reason: '自行延期'
		});
		expect(orgReviews.status).toBe(403);
	});
});
