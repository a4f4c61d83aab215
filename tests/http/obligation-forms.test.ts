import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { signedIn, startDemoApp, type Browserless } from '../support/http';
import type { RunningServer } from '../support/server';
import { PDF_BYTES } from '../support/evidence-factories';
import { AppDatabase } from '../../src/lib/server/db/tenant-scope';
import { loadDemoData } from '../../db/seed/demo';
import { LISHUNJIE } from '../../db/seed/demo-data';
import { translate } from '../../src/lib/server/i18n/translate';

/*
 * The obligations page's form actions (and the due item's evidence upload) through HTTP, as a
 * browser posts them, on the demo world in a PostgreSQL database of this file's own: the test
 * writes the due items the sweep would have written (one past due, one not due yet) and an
 * evaluation under way, which no form offers. org@demo.test fulfils for 厦门立顺捷机电服务有限公司,
 * evaluator@demo.test reviews and raises, admin@demo.test keeps the obligations.
 */

/** The message of `key` in either language (the demo users' language is the body's). */
const messageOf = (key: string, params: Record<string, string | number> = {}) =>
	expect.toBeOneOf([translate(key, 'zh-CN', params), translate(key, 'en', params)]);

describe('obligation forms over HTTP', () => {
	let t: TestDatabase;
	let server: RunningServer;
	let org: Browserless;
	let evaluator: Browserless;
	let admin: Browserless;
	let tenantId: string;
	let organisationId: string;
	let lateItem: string;
	let futureItem: string;

	beforeAll(async () => {
		t = await createTestDatabase('postgres');
		await loadDemoData(t.owner, new AppDatabase(t.connection));
		const organisation = await t.owner
			.selectFrom('organisations')
			.select(['id', 'tenant_id'])
			.where('legal_name', '=', LISHUNJIE)
			.executeTakeFirstOrThrow();
		({ id: organisationId, tenant_id: tenantId } = organisation);
		const obligation = await t.owner
			.selectFrom('recurring_obligations')
			.select('id')
			.where('organisation_id', '=', organisationId)
			.where('title_zh', '=', '派工单')
			.executeTakeFirstOrThrow();
		const items = await t.owner
			.insertInto('obligation_due_items')
			.values(
				[
					['2020-01-01', '2020-01-31', '2020-02-02'],
					['2099-01-01', '2099-01-31', '2099-02-02']
				].map(([periodStart, periodEnd, dueOn]) => ({
					tenant_id: tenantId,
					obligation_id: obligation.id,
					period_start: periodStart!,
					period_end: periodEnd!,
					due_on: dueOn!
				}))
			)
			.returning('id')
			.execute();
		[lateItem, futureItem] = items.map((item) => item.id) as [string, string];
		server = await startDemoApp({ DATABASE_URL: t.url! });
		org = await signedIn(server, 'org@demo.test');
		evaluator = await signedIn(server, 'evaluator@demo.test');
		admin = await signedIn(server, 'admin@demo.test');
	}, 300_000);

	afterAll(async () => {
		await server?.stop();
		await t?.drop();
	});

	const status = async (id: string) =>
		await t.owner
			.selectFrom('obligation_due_items')
			.select(['status', 'review_comment', 'raised_finding_id'])
			.where('id', '=', id)
			.executeTakeFirstOrThrow();

	async function uploadTo(client: Browserless, itemId: string) {
		const form = new FormData();
		form.append(
			'files',
			new File([new Uint8Array(Buffer.concat([PDF_BYTES, randomBytes(16)]))], '派工单.pdf', {
				type: 'application/pdf'
			})
		);
		return client.fetch(`/api/obligation-evidence/${itemId}`, {
			method: 'POST',
			body: form,
			headers: { origin: client.origin, accept: 'application/json' }
		});
	}

	it('shows the organisation its items, late in its language, and is in its navigation', async () => {
		const response = await org.fetch('/obligations');
		expect(response.status).toBe(200);
		const html = await response.text();
		expect(html).toContain('href="/obligations"');
		expect(html).toContain('2020-01-01');
		expect(html).toMatch(new RegExp(`${translate('obligations_status_late', 'zh-CN')}|Late`));
		// The body's grid is the body's: the organisation sees no review or raise form.
		expect(html).not.toContain('?/raise');
	});

	it('refuses a submission without files (409), takes the upload, then the submission', async () => {
		const empty = await org.action('/obligations', `submit&item=${lateItem}`, { itemId: lateItem });
		expect(empty.status).toBe(409);
		expect(empty.data?.errors).toEqual({ _: messageOf('obligations_error_no_evidence') });
		expect((await status(lateItem)).status).toBe('pending');

		const uploaded = await uploadTo(org, lateItem);
		expect(uploaded.status).toBe(200);
		expect(((await uploaded.json()) as { files: { ok: boolean }[] }).files).toMatchObject([
			{ ok: true }
		]);
		// The body's staff upload nothing for the organisation.
		expect((await uploadTo(evaluator, futureItem)).status).toBe(403);

		const submitted = await org.action('/obligations', `submit&item=${lateItem}`, {
			itemId: lateItem
		});
		expect(submitted).toMatchObject({ status: 200, type: 'success', data: { done: true } });
		expect((await status(lateItem)).status).toBe('submitted');
	});

	it('bad ids are 400s; the wrong side is refused with 403 and nothing changes', async () => {
		const badId = await org.action('/obligations', 'submit', { itemId: 'not-a-uuid' });
		expect(badId.status).toBe(400);
		expect(badId.data?.errors).toEqual({ itemId: messageOf('error_invalid_id') });
		const orgReview = await org.action('/obligations', 'review', {
			itemId: lateItem,
			verdict: 'accept'
		});
		expect(orgReview.status).toBe(403);
		expect((await status(lateItem)).status).toBe('submitted');
	});

	it('the evaluator rejects with a reason (400 without one), the organisation reads it', async () => {
		const noReason = await evaluator.action('/obligations', `review&item=${lateItem}`, {
			itemId: lateItem,
			verdict: 'reject',
			comment: ''
		});
		expect(noReason.status).toBe(400);
		expect(noReason.data?.errors).toEqual({
			comment: messageOf('obligations_error_reason_required')
		});
		const rejected = await evaluator.action('/obligations', `review&item=${lateItem}`, {
			itemId: lateItem,
			verdict: 'reject',
			comment: '缺少维修人员签字'
		});
		expect(rejected).toMatchObject({ status: 200, data: { done: true } });
		expect(await status(lateItem)).toMatchObject({
			status: 'rejected',
			review_comment: '缺少维修人员签字'
		});
		expect(await (await org.fetch('/obligations')).text()).toContain('缺少维修人员签字');
	});

	it('raises a missing item as a finding only in an evaluation under way, once', async () => {
		const notLate = await evaluator.action('/obligations', `raise&item=${futureItem}`, {
			itemId: futureItem
		});
		expect(notLate.status).toBe(409);
		expect(notLate.data?.errors).toEqual({ _: messageOf('obligations_error_not_late') });

		// The demo's evaluations of the organisation are all issued: nothing to raise it in.
		const none = await evaluator.action('/obligations', `raise&item=${lateItem}`, {
			itemId: lateItem
		});
		expect(none.status).toBe(409);
		expect(none.data?.errors).toEqual({ _: messageOf('obligations_error_no_evaluation') });

		const issued = await t.owner
			.selectFrom('evaluations')
			.select(['standard_id', 'certificate_id'])
			.where('organisation_id', '=', organisationId)
			.executeTakeFirstOrThrow();
		const evaluatorUser = await t.owner
			.selectFrom('users')
			.select('id')
			.where('email', '=', 'evaluator@demo.test')
			.executeTakeFirstOrThrow();
		const running = await t.owner
			.insertInto('evaluations')
			.values({
				tenant_id: tenantId,
				kind: 'surveillance',
				organisation_id: organisationId,
				certificate_id: issued.certificate_id,
				standard_id: issued.standard_id,
				window_start: '2020-03-01',
				window_end: '2020-03-02',
				status: 'in_progress'
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await t.owner
			.insertInto('evaluation_team_members')
			.values({
				tenant_id: tenantId,
				evaluation_id: running.id,
				user_id: evaluatorUser.id,
				team_role: 'lead'
			})
			.execute();

		const raised = await evaluator.action('/obligations', `raise&item=${lateItem}`, {
			itemId: lateItem
		});
		expect(raised).toMatchObject({ status: 200, data: { done: true } });
		const findingId = raised.data?.findingId as string;
		expect((await status(lateItem)).raised_finding_id).toBe(findingId);
		const finding = await t.owner
			.selectFrom('findings')
			.select(['evaluation_id', 'kind', 'statement'])
			.where('id', '=', findingId)
			.executeTakeFirstOrThrow();
		expect(finding).toMatchObject({ evaluation_id: running.id, kind: 'nonconformity' });
		expect(finding.statement).toContain('派工单');

		const twice = await evaluator.action('/obligations', `raise&item=${lateItem}`, {
			itemId: lateItem
		});
		expect(twice.status).toBe(409);
		expect(twice.data?.errors).toEqual({ _: messageOf('obligations_error_already_raised') });
	});

	it('the admin adds an obligation (400 on a bad weekday); the evaluator may not', async () => {
		const fields = {
			organisationId,
			titleZh: '巡检记录',
			titleEn: 'Inspection log',
			cadence: 'weekly',
			dueDay: '9',
			startsOn: '2026-12-01'
		};
		const badDay = await admin.action('/obligations', 'create', fields);
		expect(badDay.status).toBe(400);
		expect(badDay.data?.errors).toEqual({ dueDay: messageOf('obligations_error_weekday') });
		expect(
			(await evaluator.action('/obligations', 'create', { ...fields, dueDay: '2' })).status
		).toBe(403);
		const created = await admin.action('/obligations', 'create', { ...fields, dueDay: '2' });
		expect(created).toMatchObject({ status: 200, data: { form: 'create', done: true } });
		const rows = await t.owner
			.selectFrom('recurring_obligations')
			.select(['cadence', 'due_day'])
			.where('title_zh', '=', '巡检记录')
			.execute();
		expect(rows).toEqual([{ cadence: 'weekly', due_day: 2 }]);
		expect(await (await admin.fetch('/obligations')).text()).toContain('巡检记录');
	});
});
