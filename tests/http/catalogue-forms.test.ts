import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, startDemoApp, type Browserless } from '../support/http';
import type { RunningServer } from '../support/server';
import zhCN from '../../messages/catalogue/zh-CN.json';
import baseZhCN from '../../messages/zh-CN.json';

/*
 * Every catalogue form action through HTTP, as the browser posts it, on the built app with the
 * demo data: standards, clauses, the clause CSV import, grade scales and scheme rules; and the
 * refusals: a role that may not (403), bad input (400, the field's message in the admin's
 * Chinese, nothing saved), an id that is no UUID (404), a body that is no form (400), NUL (400).
 */

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

const RULES = {
	certificateValidityMonths: '36',
	firstSurveillanceMonths: '12',
	firstSurveillanceFrom: 'issue',
	maxSurveillanceGapMonths: '12',
	majorDueDays: '30',
	minorDueDays: '60',
	overdueMinorBecomesMajor: 'on',
	maxSuspensionMonths: '6',
	suspendWithinDays: '7'
};

describe('catalogue forms over HTTP', () => {
	let server: RunningServer;
	let admin: Browserless;
	let evaluator: Browserless;
	let standardId: string;

	/** A tRPC query as the signed-in client, to read what a form saved. */
	async function query<T>(client: Browserless, path: string, input?: unknown): Promise<T> {
		const search =
			input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
		const response = await client.fetch(`/api/trpc/${path}${search}`, {
			headers: { accept: 'application/json' }
		});
		expect(response.status).toBe(200);
		return ((await response.json()) as { result: { data: { json: T } } }).result.data.json;
	}

	interface Standard {
		id: string;
		code: string;
		title_zh: string;
		version: number;
		clauses: { id: string; number: string; title_zh: string; title_en: string }[];
		schemeRules: { version: number; saved: boolean; majorDueDays: number };
	}
	const standard = () => query<Standard>(admin, 'catalogue.standard', { id: standardId });

	interface Scale {
		id: string;
		name_zh: string;
		levels: { id: string; code: string; label_zh: string; min_score: number | null }[];
	}

	beforeAll(async () => {
		server = await startDemoApp();
		admin = await signedIn(server, 'admin@demo.test');
		evaluator = await signedIn(server, 'evaluator@demo.test');
	}, 300_000);

	afterAll(async () => {
		await server?.stop();
	});

	it('creates a standard and redirects to it', async () => {
		const answer = await admin.action('/catalogue', 'create', {
			code: 'GB/T  9999-2026',
			titleZh: '表单测试标准',
			titleEn: 'Form test standard',
			category: '测试',
			gradeScaleId: ''
		});
		expect(answer).toMatchObject({ status: 303, type: 'redirect' });
		expect(answer.location).toMatch(new RegExp(`^/catalogue/${UUID.source}\\?created=1$`));
		standardId = UUID.exec(answer.location!)![0];
		expect(await standard()).toMatchObject({ code: 'GB/T 9999-2026', title_zh: '表单测试标准' });
	});

	it('updates the standard from its version', async () => {
		const answer = await admin.action(`/catalogue/${standardId}`, 'update', {
			version: '1',
			code: 'GB/T 9999-2026',
			titleZh: '表单测试标准（修订）',
			titleEn: '',
			category: '',
			gradeScaleId: ''
		});
		expect(answer).toMatchObject({ status: 200, type: 'success' });
		expect(answer.data).toMatchObject({ form: 'standard', saved: true });
		expect(await standard()).toMatchObject({ title_zh: '表单测试标准（修订）', version: 2 });
	});

	it('adds a clause and renames it', async () => {
		for (const [number, titleZh] of [
			['4', '总则'],
			['4.1', '范围']
		]) {
			const added = await admin.action(`/catalogue/${standardId}`, 'addClause', {
				number: number!,
				titleZh: titleZh!,
				titleEn: ''
			});
			expect(added).toMatchObject({ status: 200, data: { form: 'addClause', added: number } });
		}
		const clause = (await standard()).clauses.find((one) => one.number === '4.1')!;
		const renamed = await admin.action(`/catalogue/${standardId}`, 'updateClause', {
			id: clause.id,
			titleZh: '适用范围',
			titleEn: 'Scope'
		});
		expect(renamed).toMatchObject({
			status: 200,
			data: { form: 'updateClause', clauseId: clause.id, saved: true }
		});
		expect((await standard()).clauses.find((one) => one.id === clause.id)).toMatchObject({
			title_zh: '适用范围',
			title_en: 'Scope'
		});
	});

	it('previews a clause CSV, then imports it', async () => {
		const csv =
			'number,title_zh,title_en\r\n4.1,适用范围,Scope\r\n5,要求,Requirements\r\n5.1,资源,';
		const preview = await admin.action(`/catalogue/${standardId}`, 'preview', { csv });
		expect(preview).toMatchObject({ status: 200, type: 'success' });
		expect(preview.data).toMatchObject({
			form: 'import',
			csv,
			preview: { clean: true, counts: { new: 2, update: 0, unchanged: 1, withErrors: 0 } }
		});
		expect((await standard()).clauses).toHaveLength(2);

		const imported = await admin.action(`/catalogue/${standardId}`, 'import', { csv });
		expect(imported.data).toMatchObject({ form: 'import', imported: { inserted: 2, updated: 0 } });
		expect((await standard()).clauses.map((clause) => clause.number)).toEqual([
			'4',
			'4.1',
			'5',
			'5.1'
		]);
	});

	it('shows a bad CSV row in Chinese and imports nothing', async () => {
		const csv = 'number,title_zh\n6.1,无上级条款';
		const answer = await admin.action(`/catalogue/${standardId}`, 'import', { csv });
		expect(answer.data).toMatchObject({ form: 'import', rejected: true });
		const preview = (answer.data as { preview: { rows: { errors: string[] }[] } }).preview;
		expect(preview.rows[0]!.errors).toEqual([zhCN.catalogue_csv_parent_missing]);
		expect((await standard()).clauses).toHaveLength(4);
	});

	it('creates a grade scale and edits its levels', async () => {
		const created = await admin.action('/catalogue/grade-scales', 'create', {
			nameZh: '表单等级',
			nameEn: 'Form grades',
			levelId: ['', ''],
			levelCode: ['A', 'B'],
			levelLabelZh: ['甲', '乙'],
			levelLabelEn: ['', ''],
			levelMinScore: ['90', '75.5']
		});
		expect(created).toMatchObject({
			status: 303,
			type: 'redirect',
			location: '/catalogue/grade-scales?created=1'
		});
		const scales = await query<Scale[]>(admin, 'catalogue.gradeScales');
		const scale = scales.find((one) => one.name_zh === '表单等级')!;
		expect(scale.levels.map((level) => [level.code, level.min_score])).toEqual([
			['A', 90],
			['B', 75.5]
		]);

		const [a, b] = scale.levels;
		const saved = await admin.action(`/catalogue/grade-scales/${scale.id}`, 'save', {
			nameZh: '表单等级（修订）',
			nameEn: '',
			levelId: [b!.id, a!.id, ''],
			levelCode: ['B', 'A', 'C'],
			levelLabelZh: ['乙', '甲', '丙'],
			levelLabelEn: ['', '', ''],
			levelMinScore: ['95', '80', '']
		});
		expect(saved).toMatchObject({ status: 200, data: { saved: true } });
		const after = await query<Scale>(admin, 'catalogue.gradeScale', { id: scale.id });
		expect(after.name_zh).toBe('表单等级（修订）');
		expect(after.levels.map((level) => [level.id, level.code, level.min_score])).toEqual([
			[b!.id, 'B', 95],
			[a!.id, 'A', 80],
			[expect.any(String), 'C', null]
		]);

		// A level's problem is shown on its own row's field, in Chinese.
		const repeated = await admin.action(`/catalogue/grade-scales/${scale.id}`, 'save', {
			nameZh: '重复',
			levelId: ['', ''],
			levelCode: ['X', 'x'],
			levelLabelZh: ['一', '二'],
			levelLabelEn: ['', ''],
			levelMinScore: ['', '']
		});
		expect(repeated.status).toBe(400);
		expect(repeated.data).toMatchObject({
			errors: { 'levels.1.code': zhCN.catalogue_error_level_code_duplicate },
			values: { nameZh: '重复', levels: [{ code: 'X' }, { code: 'x' }] }
		});
		expect((await query<Scale>(admin, 'catalogue.gradeScale', { id: scale.id })).name_zh).toBe(
			'表单等级（修订）'
		);
	});

	it('saves the scheme rules, the numbers read by the same schema', async () => {
		const first = await admin.action(`/catalogue/${standardId}/rules`, 'save', {
			...RULES,
			version: '0'
		});
		expect(first).toMatchObject({ status: 200, data: { saved: true } });
		expect((await standard()).schemeRules).toMatchObject({
			version: 1,
			saved: true,
			majorDueDays: 30,
			firstSurveillanceFrom: 'issue',
			overdueMinorBecomesMajor: true
		});

		// An unticked checkbox posts nothing: false.
		const { overdueMinorBecomesMajor: _ticked, ...unticked } = RULES;
		const second = await admin.action(`/catalogue/${standardId}/rules`, 'save', {
			...unticked,
			version: '1'
		});
		expect(second).toMatchObject({ status: 200, data: { saved: true } });
		expect((await standard()).schemeRules).toMatchObject({
			version: 2,
			overdueMinorBecomesMajor: false
		});
	});

	it('refuses a bad number with its field message in Chinese and saves nothing', async () => {
		const answer = await admin.action(`/catalogue/${standardId}/rules`, 'save', {
			...RULES,
			majorDueDays: '0',
			version: '2'
		});
		expect(answer.status).toBe(400);
		expect(answer.data).toMatchObject({
			errors: { majorDueDays: zhCN.catalogue_rules_error_major },
			values: { majorDueDays: '0' }
		});
		expect((await standard()).schemeRules).toMatchObject({ version: 2, majorDueDays: 30 });

		const stale = await admin.action(`/catalogue/${standardId}/rules`, 'save', {
			...RULES,
			version: '1'
		});
		expect(stale.status).toBe(409);
		expect(stale.data).toMatchObject({ stale: true });
	});

	it('refuses an empty title in Chinese and keeps the standard as it was', async () => {
		const answer = await admin.action(`/catalogue/${standardId}`, 'update', {
			version: '2',
			code: 'GB/T 9999-2026',
			titleZh: '   ',
			titleEn: '',
			category: '',
			gradeScaleId: ''
		});
		expect(answer.status).toBe(400);
		expect(answer.data).toMatchObject({
			form: 'standard',
			errors: { titleZh: baseZhCN.error_required },
			values: { titleZh: '   ' }
		});
		expect(await standard()).toMatchObject({ title_zh: '表单测试标准（修订）', version: 2 });
	});

	it('refuses a NUL character in a title with 400', async () => {
		const answer = await admin.action(`/catalogue/${standardId}`, 'addClause', {
			number: '7',
			titleZh: '含\u0000空字符'
		});
		expect(answer.status).toBe(400);
		expect(answer.data).toMatchObject({ errors: { titleZh: baseZhCN.error_nul_character } });
		const created = await admin.action('/catalogue', 'create', {
			code: 'NUL-1',
			titleZh: '标\u0000准'
		});
		expect(created.status).toBe(400);
		expect((await standard()).clauses.map((clause) => clause.number)).not.toContain('7');
	});

	it('refuses an evaluator with 403 and changes nothing', async () => {
		const answer = await evaluator.action(`/catalogue/${standardId}`, 'update', {
			version: '2',
			code: 'GB/T 9999-2026',
			titleZh: '评审员改的',
			gradeScaleId: ''
		});
		expect(answer.status).toBe(403);
		const rules = await evaluator.action(`/catalogue/${standardId}/rules`, 'save', {
			...RULES,
			version: '2'
		});
		expect(rules.status).toBe(403);
		// The evaluator still reads the catalogue.
		expect((await evaluator.fetch(`/catalogue/${standardId}`)).status).toBe(200);
		expect(await standard()).toMatchObject({ title_zh: '表单测试标准（修订）', version: 2 });
	});

	it('renders every catalogue page for the admin', async () => {
		const [scale] = await query<Scale[]>(admin, 'catalogue.gradeScales');
		for (const path of [
			'/catalogue',
			`/catalogue/${standardId}`,
			`/catalogue/${standardId}/rules`,
			'/catalogue/grade-scales',
			`/catalogue/grade-scales/${scale!.id}`
		]) {
			const response = await admin.fetch(path, { headers: { accept: 'text/html' } });
			expect(response.status, path).toBe(200);
			expect(await response.text(), path).toContain('class="field');
		}
	});

	it('answers an id that is no UUID with 404, before any query', async () => {
		for (const path of [
			'/catalogue/not-a-uuid',
			'/catalogue/not-a-uuid/rules',
			'/catalogue/grade-scales/123'
		])
			expect((await admin.fetch(path)).status, path).toBe(404);
		const posted = await admin.action('/catalogue/not-a-uuid', 'update', { titleZh: 'x' });
		expect(posted.status).toBe(404);
	});

	it('answers a body that is no form with 400, not 500', async () => {
		const answer = await admin.action(`/catalogue/${standardId}`, 'update', 'titleZh=plain', {
			contentType: 'text/plain'
		});
		expect(answer.status).toBe(400);
		const scale = await admin.action('/catalogue/grade-scales', 'create', 'nameZh=plain', {
			contentType: 'text/plain'
		});
		expect(scale.status).toBe(400);
		expect(await standard()).toMatchObject({ version: 2 });
	});
});
