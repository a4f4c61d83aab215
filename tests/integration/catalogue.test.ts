import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { callerFor, newActor, newOrganisation, newTenant, testApp } from '../support/factories';
import { handleTrpcRequest } from '../../src/lib/server/trpc/handler';
import type { TrpcContext } from '../../src/lib/server/trpc/context';
import { Refusal } from '../../src/lib/server/errors';
import { DEFAULT_SCHEME_RULES } from '../../src/lib/server/domain/scheme-rules';
import { findSchemeRules } from '../../src/lib/server/repositories/scheme-rules';
import type { Actor } from '../../src/lib/server/actor';
import type { App } from '../../src/lib/server/app';
import type { Locale } from '../../db/schema';
import en from '../../messages/catalogue/en.json';
import zhCN from '../../messages/catalogue/zh-CN.json';
import baseEn from '../../messages/en.json';

/* The catalogue through its tRPC API: standards, clause trees and their CSV import, grade scales
 * and scheme rules; who may read and change them; and the audit entry of every change. */

type Tenant = Awaited<ReturnType<typeof newTenant>>;

const STAR_SCALE = {
	nameZh: '星级',
	nameEn: 'Star grades',
	levels: [
		{ code: '5-star', labelZh: '五星', labelEn: 'Five stars', minScore: 95 },
		{ code: '4-star', labelZh: '四星', labelEn: 'Four stars', minScore: 90 },
		{ code: '3-star', labelZh: '三星', labelEn: 'Three stars', minScore: 80 }
	]
};

describe.each(DIALECTS)('catalogue (%s)', (kind) => {
	let t: TestDatabase;
	let app: App;
	let tenantA: Tenant;
	let tenantB: Tenant;
	let adminA: Actor;
	let adminB: Actor;
	let evaluatorA: Actor;
	let deciderA: Actor;
	let orgUserA: Actor;
	let counter = 0;
	const nextCode = () => `GB/T ${27000 + ++counter}-2011`;

	function contextFor(actor: Actor, locale: Locale = 'en'): TrpcContext {
		return {
			app,
			locale,
			actor,
			person: {
				sessionId: 'test-session',
				userId: actor.userId,
				email: actor.email,
				name: actor.name,
				locale: null,
				expiresAt: new Date(Date.now() + 86_400_000),
				tenantId: actor.tenantId
			}
		};
	}

	/** A same-origin JSON mutation through the HTTP handler, to read the translated field errors. */
	async function post(path: string, input: unknown, actor: Actor, locale: Locale = 'en') {
		const response = await handleTrpcRequest(
			new Request(`http://localhost/api/trpc/${path}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', origin: 'http://localhost' },
				body: JSON.stringify({ json: input })
			}),
			contextFor(actor, locale)
		);
		// eslint-disable-next-line @typescript-eslint/no-explicit-any
		return { status: response.status, body: (await response.json()) as any };
	}

	async function auditCount() {
		const row = await t.owner
			.selectFrom('audit_log')
			.select((eb) => eb.fn.countAll<string>().as('n'))
			.executeTakeFirstOrThrow();
		return Number(row.n);
	}

	function auditOf(entityType: string, entityId: string) {
		return t.owner
			.selectFrom('audit_log')
			.select(['action', 'actor_user_id', 'tenant_id', 'before', 'after'])
			.where('entity_type', '=', entityType)
			.where('entity_id', '=', entityId)
			.orderBy('seq')
			.execute();
	}

	const json = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);

	async function clauseRows(standardId: string) {
		return t.owner
			.selectFrom('clauses')
			.select(['id', 'number', 'title_zh', 'title_en', 'parent_id', 'sort_key'])
			.where('standard_id', '=', standardId)
			.orderBy('sort_key')
			.execute();
	}

	/** Expects the call to be refused with `code` and writes nothing to the audit log. */
	async function expectRefused(call: () => Promise<unknown>, code: TRPCError['code']) {
		const before = await auditCount();
		const error = await call().then(
			() => null,
			(cause: unknown) => cause
		);
		expect(error).toBeInstanceOf(TRPCError);
		expect((error as TRPCError).code).toBe(code);
		expect(await auditCount()).toBe(before);
		return error as TRPCError;
	}

	const refusalOf = (error: TRPCError) => error.cause as Refusal;

	async function newStandard(actor = adminA, extra: Partial<{ gradeScaleId: string | null }> = {}) {
		return callerFor(app, actor).catalogue.createStandard({
			code: nextCode(),
			titleZh: '商品售后服务评价体系',
			titleEn: 'After-sales service',
			category: '售后服务',
			...extra
		});
	}

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		app = testApp(t);
		tenantA = await newTenant(t, 'Body A');
		tenantB = await newTenant(t, 'Body B');
		adminA = await newActor(t, tenantA.id, 'admin');
		adminB = await newActor(t, tenantB.id, 'admin');
		evaluatorA = await newActor(t, tenantA.id, 'evaluator');
		deciderA = await newActor(t, tenantA.id, 'decision_maker');
		const organisation = await newOrganisation(t, tenantA.id);
		orgUserA = await newActor(t, tenantA.id, 'org_admin', organisation.id);
	});

	afterAll(async () => {
		await t?.drop();
	});

	describe('standards', () => {
		it('an admin creates one, audited, and every staff member reads it', async () => {
			const code = nextCode();
			const created = await callerFor(app, adminA).catalogue.createStandard({
				code: `  ${code.replace(' ', '   ')} `,
				titleZh: ' 物业管理服务认证 ',
				titleEn: 'Property management',
				category: '物业服务',
				categoryEn: ' Property services '
			});
			expect(created).toMatchObject({
				code,
				title_zh: '物业管理服务认证',
				title_en: 'Property management',
				category: '物业服务',
				category_en: 'Property services',
				grade_scale_id: null,
				version: 1,
				tenant_id: tenantA.id
			});
			const audit = await auditOf('standard', created.id);
			expect(audit).toHaveLength(1);
			expect(audit[0]).toMatchObject({
				action: 'standard.create',
				actor_user_id: adminA.userId,
				tenant_id: tenantA.id
			});
			expect(json(audit[0]?.after)).toEqual({
				code,
				titleZh: '物业管理服务认证',
				titleEn: 'Property management',
				category: '物业服务',
				categoryEn: 'Property services',
				gradeScaleId: null
			});

			for (const reader of [adminA, evaluatorA, deciderA]) {
				const list = await callerFor(app, reader).catalogue.standards();
				expect(list.find((s) => s.id === created.id)).toMatchObject({ code, clause_count: 0 });
				const one = await callerFor(app, reader).catalogue.standard({ id: created.id });
				expect(one).toMatchObject({ id: created.id, code, clauses: [], gradeScale: null });
				expect(one.schemeRules).toEqual({ ...DEFAULT_SCHEME_RULES, version: 0, saved: false });
			}
		});

		it('refuses organisation users even reading the catalogue', async () => {
			const standard = await newStandard();
			await expectRefused(() => callerFor(app, orgUserA).catalogue.standards(), 'FORBIDDEN');
			await expectRefused(
				() => callerFor(app, orgUserA).catalogue.standard({ id: standard.id }),
				'FORBIDDEN'
			);
		});

		it('lets evaluators and decision makers read but not change', async () => {
			const standard = await newStandard();
			for (const staff of [evaluatorA, deciderA]) {
				const caller = callerFor(app, staff).catalogue;
				await expectRefused(
					() => caller.createStandard({ code: nextCode(), titleZh: '标准' }),
					'FORBIDDEN'
				);
				await expectRefused(
					() =>
						caller.updateStandard({
							id: standard.id,
							version: 1,
							code: standard.code,
							titleZh: 'x'
						}),
					'FORBIDDEN'
				);
				await expectRefused(
					() => caller.addClause({ standardId: standard.id, number: '4', titleZh: '总则' }),
					'FORBIDDEN'
				);
				await expectRefused(
					() => caller.importClauses({ standardId: standard.id, csv: 'number,title_zh\n4,总则' }),
					'FORBIDDEN'
				);
				await expectRefused(
					() =>
						caller.previewClauseImport({ standardId: standard.id, csv: 'number,title_zh\n4,总则' }),
					'FORBIDDEN'
				);
				await expectRefused(() => caller.createGradeScale(STAR_SCALE), 'FORBIDDEN');
				await expectRefused(
					() =>
						caller.updateSchemeRules({
							standardId: standard.id,
							version: 0,
							...DEFAULT_SCHEME_RULES
						}),
					'FORBIDDEN'
				);
			}
			const unchanged = await callerFor(app, evaluatorA).catalogue.standard({ id: standard.id });
			expect(unchanged.version).toBe(1);
			expect(unchanged.clauses).toEqual([]);
			expect(unchanged.schemeRules.saved).toBe(false);
		});

		it('refuses a code the tenant already uses with CONFLICT on the code field', async () => {
			const standard = await newStandard();
			const error = await expectRefused(
				() =>
					callerFor(app, adminA).catalogue.createStandard({
						code: standard.code,
						titleZh: '重复'
					}),
				'CONFLICT'
			);
			expect(refusalOf(error)).toMatchObject({
				messageKey: 'catalogue_error_code_taken',
				field: 'code'
			});
			const { status, body } = await post(
				'catalogue.createStandard',
				{ code: standard.code, titleZh: '重复' },
				adminA
			);
			expect(status).toBe(409);
			expect(body.error.json.data.fields.code).toBe(
				en.catalogue_error_code_taken.replace('{code}', standard.code)
			);
			// Renaming another standard to it is refused too.
			const other = await newStandard();
			await expectRefused(
				() =>
					callerFor(app, adminA).catalogue.updateStandard({
						id: other.id,
						version: 1,
						code: standard.code,
						titleZh: other.title_zh
					}),
				'CONFLICT'
			);
			// Another body may use the same code.
			const inB = await callerFor(app, adminB).catalogue.createStandard({
				code: standard.code,
				titleZh: '另一机构的标准'
			});
			expect(inB.code).toBe(standard.code);
		});

		it('needs a Chinese title, with the message on the field in either language', async () => {
			await expectRefused(
				() => callerFor(app, adminA).catalogue.createStandard({ code: nextCode(), titleZh: '  ' }),
				'BAD_REQUEST'
			);
			const english = await post(
				'catalogue.createStandard',
				{ code: nextCode(), titleZh: '' },
				adminA,
				'en'
			);
			expect(english.status).toBe(400);
			expect(english.body.error.json.data.fields).toEqual({ titleZh: baseEn.error_required });
		});

		it('updates with the current version, audited with before and after', async () => {
			const standard = await newStandard();
			const updated = await callerFor(app, adminA).catalogue.updateStandard({
				id: standard.id,
				version: 1,
				code: standard.code,
				titleZh: '新的名称',
				titleEn: 'New title',
				category: '其他'
			});
			expect(updated).toMatchObject({ version: 2, title_zh: '新的名称', category: '其他' });
			const audit = await auditOf('standard', standard.id);
			expect(audit.map((entry) => entry.action)).toEqual(['standard.create', 'standard.update']);
			expect(json(audit[1]?.before)).toMatchObject({ titleZh: '商品售后服务评价体系' });
			expect(json(audit[1]?.after)).toMatchObject({ titleZh: '新的名称', titleEn: 'New title' });
		});

		it('refuses a stale version with CONFLICT and leaves the standard as it was', async () => {
			const standard = await newStandard();
			await callerFor(app, adminA).catalogue.updateStandard({
				id: standard.id,
				version: 1,
				code: standard.code,
				titleZh: '第一次修改'
			});
			const error = await expectRefused(
				() =>
					callerFor(app, adminA).catalogue.updateStandard({
						id: standard.id,
						version: 1,
						code: standard.code,
						titleZh: '第二次修改（基于旧版本）'
					}),
				'CONFLICT'
			);
			expect(refusalOf(error).messageKey).toBe('error_stale_version');
			const now = await callerFor(app, adminA).catalogue.standard({ id: standard.id });
			expect(now).toMatchObject({ title_zh: '第一次修改', version: 2 });
		});

		it("hides another tenant's standard: NOT_FOUND to read or change, and it stays unchanged", async () => {
			const inB = await newStandard(adminB);
			const caller = callerFor(app, adminA).catalogue;
			await expectRefused(() => caller.standard({ id: inB.id }), 'NOT_FOUND');
			await expectRefused(
				() => caller.updateStandard({ id: inB.id, version: 1, code: 'HIJACK', titleZh: '劫持' }),
				'NOT_FOUND'
			);
			await expectRefused(
				() => caller.addClause({ standardId: inB.id, number: '4', titleZh: '总则' }),
				'NOT_FOUND'
			);
			await expectRefused(
				() => caller.importClauses({ standardId: inB.id, csv: 'number,title_zh\n4,总则' }),
				'NOT_FOUND'
			);
			await expectRefused(
				() => caller.updateSchemeRules({ standardId: inB.id, version: 0, ...DEFAULT_SCHEME_RULES }),
				'NOT_FOUND'
			);
			expect((await caller.standards()).map((s) => s.id)).not.toContain(inB.id);
			const seenByB = await callerFor(app, adminB).catalogue.standard({ id: inB.id });
			expect(seenByB).toMatchObject({ code: inB.code, version: 1, clauses: [] });
			expect(seenByB.schemeRules.saved).toBe(false);
		});
	});

	describe('clauses', () => {
		it('builds a tree: parents from the numbers, ordered by sort key, each change audited', async () => {
			const standard = await newStandard();
			const caller = callerFor(app, adminA).catalogue;
			for (const [number, titleZh] of [
				['4', '售后服务体系'],
				['4.10', '第十条'],
				['4.2', '服务管理'],
				['4.2.1', '服务标准化'],
				['A', '附录'],
				['5', '评价']
			] as const)
				await caller.addClause({ standardId: standard.id, number, titleZh });
			const added = await caller.addClause({
				standardId: standard.id,
				number: 'a.1',
				titleZh: '附录条款',
				titleEn: 'Annex clause'
			});
			const { clauses } = await callerFor(app, evaluatorA).catalogue.standard({ id: standard.id });
			expect(clauses.map((clause) => [clause.number, clause.depth])).toEqual([
				['4', 0],
				['4.2', 1],
				['4.2.1', 2],
				['4.10', 1],
				['5', 0],
				['A', 0],
				['A.1', 1]
			]);
			const id = (number: string) => clauses.find((clause) => clause.number === number)?.id;
			expect(clauses.find((c) => c.number === '4.2.1')?.parent_id).toBe(id('4.2'));
			expect(clauses.find((c) => c.number === '4.2')?.parent_id).toBe(id('4'));
			expect(clauses.find((c) => c.number === 'A.1')?.parent_id).toBe(id('A'));
			expect(clauses.find((c) => c.number === '4')?.parent_id).toBeNull();
			expect(clauses.find((c) => c.number === '4.2.1')?.sort_key).toBe('0004.0002.0001');

			const audit = await auditOf('clause', added.id);
			expect(audit).toHaveLength(1);
			expect(audit[0]).toMatchObject({ action: 'clause.create', actor_user_id: adminA.userId });
			expect(json(audit[0]?.after)).toEqual({
				standardId: standard.id,
				number: 'A.1',
				titleZh: '附录条款',
				titleEn: 'Annex clause'
			});
		});

		it('refuses a clause whose parent does not exist, naming it', async () => {
			const standard = await newStandard();
			const error = await expectRefused(
				() =>
					callerFor(app, adminA).catalogue.addClause({
						standardId: standard.id,
						number: '5.1',
						titleZh: '缺少上级'
					}),
				'BAD_REQUEST'
			);
			expect(refusalOf(error)).toMatchObject({
				messageKey: 'catalogue_error_clause_parent_missing',
				params: { number: '5.1', parent: '5' },
				field: 'number'
			});
			const { body } = await post(
				'catalogue.addClause',
				{ standardId: standard.id, number: '5.1', titleZh: '缺少上级' },
				adminA,
				'zh-CN'
			);
			expect(body.error.json.data.fields.number).toBe(
				zhCN.catalogue_error_clause_parent_missing
					.replace('{parent}', '5')
					.replace('{number}', '5.1')
			);
			expect(await clauseRows(standard.id)).toEqual([]);
		});

		it('refuses a number taken (CONFLICT) or badly written (BAD_REQUEST on the number)', async () => {
			const standard = await newStandard();
			const caller = callerFor(app, adminA).catalogue;
			await caller.addClause({ standardId: standard.id, number: '4', titleZh: '总则' });
			const taken = await expectRefused(
				() => caller.addClause({ standardId: standard.id, number: ' 4 ', titleZh: '又一个' }),
				'CONFLICT'
			);
			expect(refusalOf(taken)).toMatchObject({ messageKey: 'catalogue_error_clause_taken' });
			await expectRefused(
				() => caller.addClause({ standardId: standard.id, number: '4.', titleZh: '格式错误' }),
				'BAD_REQUEST'
			);
			const { body } = await post(
				'catalogue.addClause',
				{ standardId: standard.id, number: '04.1', titleZh: '格式错误' },
				adminA
			);
			expect(body.error.json.data.fields.number).toBe(en.catalogue_csv_number_invalid);
			expect((await clauseRows(standard.id)).map((c) => c.number)).toEqual(['4']);
		});

		it('edits titles (never the number), audited with before and after', async () => {
			const standard = await newStandard();
			const caller = callerFor(app, adminA).catalogue;
			const clause = await caller.addClause({
				standardId: standard.id,
				number: '4',
				titleZh: '旧'
			});
			const updated = await caller.updateClause({
				id: clause.id,
				titleZh: '新',
				titleEn: 'New'
			});
			expect(updated).toMatchObject({ number: '4', title_zh: '新', title_en: 'New' });
			const audit = await auditOf('clause', clause.id);
			expect(audit.map((entry) => entry.action)).toEqual(['clause.create', 'clause.update']);
			expect(json(audit[1]?.before)).toEqual({ number: '4', titleZh: '旧', titleEn: '' });
			expect(json(audit[1]?.after)).toEqual({ number: '4', titleZh: '新', titleEn: 'New' });
			await expectRefused(() => caller.updateClause({ id: clause.id, titleZh: '' }), 'BAD_REQUEST');
			await expectRefused(
				() => callerFor(app, evaluatorA).catalogue.updateClause({ id: clause.id, titleZh: '改' }),
				'FORBIDDEN'
			);
			await expectRefused(
				() => callerFor(app, adminB).catalogue.updateClause({ id: clause.id, titleZh: '劫持' }),
				'NOT_FOUND'
			);
			expect((await clauseRows(standard.id))[0]?.title_zh).toBe('新');
		});
	});

	describe('clause import from CSV', () => {
		it('previews each row (new, update, unchanged) and changes nothing', async () => {
			const standard = await newStandard();
			const caller = callerFor(app, adminA).catalogue;
			await caller.addClause({ standardId: standard.id, number: '4', titleZh: '体系' });
			await caller.addClause({ standardId: standard.id, number: '5', titleZh: '评价' });
			const before = await auditCount();
			const preview = await caller.previewClauseImport({
				standardId: standard.id,
				csv: 'number,title_zh\n4,体系\n5,评价与改进\n5.1,顾客满意'
			});
			expect(preview.clean).toBe(true);
			expect(preview.rows.map((row) => [row.line, row.number, row.status, row.errors])).toEqual([
				[2, '4', 'unchanged', []],
				[3, '5', 'update', []],
				[4, '5.1', 'new', []]
			]);
			expect(preview.counts).toEqual({ new: 1, update: 1, unchanged: 1, withErrors: 0 });
			expect(await auditCount()).toBe(before);
			expect((await clauseRows(standard.id)).map((c) => c.number)).toEqual(['4', '5']);
		});

		it('imports nothing when one row is bad, and returns every row with its problems', async () => {
			const standard = await newStandard();
			const caller = callerFor(app, adminA).catalogue;
			await caller.addClause({ standardId: standard.id, number: '4', titleZh: '体系' });
			const before = await auditCount();
			const result = await caller.importClauses({
				standardId: standard.id,
				csv: [
					'number,title_zh,title_en',
					'4,体系（改）,System',
					'4.1,方针,Policy',
					'4.1.1,承诺,Commitments',
					'7.1,缺上级,Orphan',
					'4.2,,No Chinese title'
				].join('\n')
			});
			expect(result.imported).toBe(false);
			expect(result.preview.clean).toBe(false);
			expect(
				result.preview.rows.map((row) => [row.line, row.number, row.status, row.errors])
			).toEqual([
				[2, '4', 'update', []],
				[3, '4.1', 'new', []],
				[4, '4.1.1', 'new', []],
				[5, '7.1', 'new', ['catalogue_csv_parent_missing']],
				[6, '4.2', 'new', ['catalogue_csv_title_zh_required']]
			]);
			expect(result.preview.counts.withErrors).toBe(2);
			const rows = await clauseRows(standard.id);
			expect(rows.map((c) => [c.number, c.title_zh])).toEqual([['4', '体系']]);
			expect(await auditCount()).toBe(before);
		});

		it('imports nothing from a file that is not a clause CSV', async () => {
			const standard = await newStandard();
			const before = await auditCount();
			const result = await callerFor(app, adminA).catalogue.importClauses({
				standardId: standard.id,
				csv: 'clause;title\n4;总则'
			});
			expect(result.imported).toBe(false);
			expect(result.preview.fileErrors).toEqual(['catalogue_csv_header_invalid']);
			expect(await clauseRows(standard.id)).toEqual([]);
			expect(await auditCount()).toBe(before);
		});

		it('imports a good file all at once: new clauses under their parents, titles updated', async () => {
			const standard = await newStandard();
			const caller = callerFor(app, adminA).catalogue;
			const four = await caller.addClause({
				standardId: standard.id,
				number: '4',
				titleZh: '体系',
				titleEn: 'System'
			});
			await caller.addClause({ standardId: standard.id, number: '5', titleZh: '评价' });
			const csv = [
				'\uFEFFnumber,title_zh,title_en',
				// Children before their parents: the import inserts parents first.
				'4.1.1,服务承诺,Service commitments',
				'4.1,"方针, 承诺",Policy and commitments',
				'4,售后服务体系,After-sales service system',
				'5,评价,',
				'A,附录,Annex',
				'A.1,"多行',
				'标题","Multi-line"'
			].join('\r\n');
			const result = await caller.importClauses({ standardId: standard.id, csv });
			expect(result).toMatchObject({ imported: true, inserted: 4, updated: 1 });
			expect(result.preview.counts).toEqual({ new: 4, update: 1, unchanged: 1, withErrors: 0 });

			const rows = await clauseRows(standard.id);
			expect(rows.map((c) => [c.number, c.title_zh, c.title_en])).toEqual([
				['4', '售后服务体系', 'After-sales service system'],
				['4.1', '方针, 承诺', 'Policy and commitments'],
				['4.1.1', '服务承诺', 'Service commitments'],
				['5', '评价', ''],
				['A', '附录', 'Annex'],
				['A.1', '多行\r\n标题', 'Multi-line']
			]);
			const id = (number: string) => rows.find((c) => c.number === number)?.id;
			expect(id('4')).toBe(four.id);
			expect(rows.find((c) => c.number === '4.1')?.parent_id).toBe(four.id);
			expect(rows.find((c) => c.number === '4.1.1')?.parent_id).toBe(id('4.1'));
			expect(rows.find((c) => c.number === 'A.1')?.parent_id).toBe(id('A'));

			const audit = await auditOf('standard', standard.id);
			expect(audit.map((entry) => entry.action)).toEqual(['standard.create', 'clause.import']);
			expect(audit[1]?.actor_user_id).toBe(adminA.userId);
			expect(json(audit[1]?.after)).toEqual({ rows: 6, inserted: 4, updated: 1, unchanged: 1 });
			// One entry for the import, none per row.
			for (const row of rows.filter((c) => !['4', '5'].includes(c.number)))
				expect(await auditOf('clause', row.id)).toEqual([]);
		});

		it('keeps English titles when the file has no title_en column', async () => {
			const standard = await newStandard();
			const caller = callerFor(app, adminA).catalogue;
			await caller.addClause({
				standardId: standard.id,
				number: '4',
				titleZh: '体系',
				titleEn: 'System'
			});
			const result = await caller.importClauses({
				standardId: standard.id,
				csv: 'number,title_zh\n4,体系（修订）\n4.1,方针'
			});
			expect(result).toMatchObject({ imported: true, inserted: 1, updated: 1 });
			expect(
				(await clauseRows(standard.id)).map((c) => [c.number, c.title_zh, c.title_en])
			).toEqual([
				['4', '体系（修订）', 'System'],
				['4.1', '方针', '']
			]);
		});

		it('imports thousands of rows in one go', async () => {
			const standard = await newStandard();
			const lines = ['number,title_zh,title_en'];
			for (let chapter = 1; chapter <= 40; chapter++) {
				lines.push(`${chapter},第${chapter}章,Chapter ${chapter}`);
				for (let section = 1; section <= 49; section++)
					lines.push(
						`${chapter}.${section},第${chapter}.${section}节,Section ${chapter}.${section}`
					);
			}
			const result = await callerFor(app, adminA).catalogue.importClauses({
				standardId: standard.id,
				csv: lines.join('\n')
			});
			expect(result).toMatchObject({ imported: true, inserted: 2000, updated: 0 });
			const again = await callerFor(app, adminA).catalogue.importClauses({
				standardId: standard.id,
				csv: lines.join('\n').replace(/Section/g, 'Part')
			});
			expect(again).toMatchObject({ imported: true, inserted: 0, updated: 1960 });
			const rows = await clauseRows(standard.id);
			expect(rows).toHaveLength(2000);
			expect(rows.filter((c) => c.title_en.startsWith('Part'))).toHaveLength(1960);
		});
	});

	describe('grade scales', () => {
		it('are created with ordered levels, audited, and attached to a standard', async () => {
			const caller = callerFor(app, adminA).catalogue;
			const scale = await caller.createGradeScale(STAR_SCALE);
			expect(scale.levels.map((l) => [l.rank, l.code, l.label_zh, l.min_score])).toEqual([
				[1, '5-star', '五星', 95],
				[2, '4-star', '四星', 90],
				[3, '3-star', '三星', 80]
			]);
			const audit = await auditOf('grade_scale', scale.id);
			expect(audit.map((entry) => entry.action)).toEqual(['grade_scale.create']);
			expect(json(audit[0]?.after)).toMatchObject({
				nameZh: '星级',
				levels: [{ code: '5-star' }, {}, {}]
			});

			const standard = await newStandard();
			await caller.updateStandard({
				id: standard.id,
				version: 1,
				code: standard.code,
				titleZh: standard.title_zh,
				gradeScaleId: scale.id
			});
			const read = await callerFor(app, evaluatorA).catalogue.standard({ id: standard.id });
			expect(read.gradeScale?.id).toBe(scale.id);
			expect(read.gradeScale?.levels.map((l) => l.code)).toEqual(['5-star', '4-star', '3-star']);
			const listed = await callerFor(app, deciderA).catalogue.gradeScales();
			expect(listed.map((s) => s.id)).toContain(scale.id);
		});

		it("refuses another tenant's scale on a standard", async () => {
			const inB = await callerFor(app, adminB).catalogue.createGradeScale(STAR_SCALE);
			const error = await expectRefused(
				() =>
					callerFor(app, adminA).catalogue.createStandard({
						code: nextCode(),
						titleZh: '标准',
						gradeScaleId: inB.id
					}),
				'BAD_REQUEST'
			);
			expect(refusalOf(error)).toMatchObject({
				messageKey: 'catalogue_error_grade_scale_unknown',
				field: 'gradeScaleId'
			});
			await expectRefused(
				() => callerFor(app, adminA).catalogue.gradeScale({ id: inB.id }),
				'NOT_FOUND'
			);
			await expectRefused(
				() => callerFor(app, adminA).catalogue.updateGradeScale({ id: inB.id, ...STAR_SCALE }),
				'NOT_FOUND'
			);
		});

		it('refuses scores that do not fall with the rank, and repeated codes, on the field', async () => {
			const caller = callerFor(app, adminA).catalogue;
			const rising = {
				...STAR_SCALE,
				levels: [
					{ code: 'a', labelZh: '甲', minScore: 80 },
					{ code: 'b', labelZh: '乙', minScore: null },
					{ code: 'c', labelZh: '丙', minScore: 90 }
				]
			};
			await expectRefused(() => caller.createGradeScale(rising), 'BAD_REQUEST');
			const { body } = await post('catalogue.createGradeScale', rising, adminA);
			expect(body.error.json.data.fields).toEqual({
				'levels.2.minScore': en.catalogue_error_scores_order
			});
			const repeated = await post(
				'catalogue.createGradeScale',
				{
					nameZh: '重复',
					levels: [
						{ code: 'A', labelZh: '甲' },
						{ code: 'a', labelZh: '乙' }
					]
				},
				adminA,
				'zh-CN'
			);
			expect(repeated.body.error.json.data.fields).toEqual({
				'levels.1.code': zhCN.catalogue_error_level_code_duplicate
			});
			const outOfRange = await post(
				'catalogue.createGradeScale',
				{ nameZh: '范围', levels: [{ code: 'x', labelZh: '甲', minScore: 100.5 }] },
				adminA
			);
			expect(outOfRange.body.error.json.data.fields).toEqual({
				'levels.0.minScore': en.catalogue_error_min_score
			});
			const none = await post('catalogue.createGradeScale', { nameZh: '空', levels: [] }, adminA);
			expect(none.body.error.json.data.fields).toEqual({
				levels: en.catalogue_error_levels_required
			});
		});

		it('are edited in place: levels keep their ids through reordering, renaming and removal', async () => {
			const caller = callerFor(app, adminA).catalogue;
			const scale = await caller.createGradeScale(STAR_SCALE);
			const [five, four, three] = scale.levels;
			const edited = await caller.updateGradeScale({
				id: scale.id,
				nameZh: '星级（修订）',
				nameEn: 'Stars',
				levels: [
					{ id: five!.id, code: '5-star', labelZh: '五星级', labelEn: 'Five', minScore: 96 },
					{ id: null, code: 'new', labelZh: '新增', minScore: 93 },
					// four and three swap codes: the unique constraints must not trip.
					{ id: three!.id, code: '4-star', labelZh: '四星', minScore: 85 },
					{ id: four!.id, code: '3-star', labelZh: '三星', minScore: null }
				]
			});
			expect(edited.name_zh).toBe('星级（修订）');
			expect(edited.levels.map((l) => [l.rank, l.code, l.label_zh, l.min_score])).toEqual([
				[1, '5-star', '五星级', 96],
				[2, 'new', '新增', 93],
				[3, '4-star', '四星', 85],
				[4, '3-star', '三星', null]
			]);
			expect(edited.levels[0]?.id).toBe(five!.id);
			expect(edited.levels[2]?.id).toBe(three!.id);
			expect(edited.levels[3]?.id).toBe(four!.id);

			const removed = await caller.updateGradeScale({
				id: scale.id,
				nameZh: '星级（修订）',
				levels: [{ id: five!.id, code: '5-star', labelZh: '五星级', minScore: 96 }]
			});
			expect(removed.levels.map((l) => l.id)).toEqual([five!.id]);
			const audit = await auditOf('grade_scale', scale.id);
			expect(audit.map((entry) => entry.action)).toEqual([
				'grade_scale.create',
				'grade_scale.update',
				'grade_scale.update'
			]);
			expect(json(audit[1]?.before)).toMatchObject({ nameZh: '星级' });
			expect(json(audit[1]?.after)).toMatchObject({ nameZh: '星级（修订）' });
		});

		it('keep a grade a certificate carries, and the scale of a standard with graded certificates', async () => {
			const caller = callerFor(app, adminA).catalogue;
			const scale = await caller.createGradeScale(STAR_SCALE);
			const standard = await newStandard(adminA, { gradeScaleId: scale.id });
			const organisation = await newOrganisation(t, tenantA.id);
			const [five, four] = scale.levels;
			await t.db.inTenant({ tenantId: tenantA.id, userId: null }, (tx) =>
				tx
					.insertInto('certificates')
					.values({
						tenant_id: tenantA.id,
						number: `CERT-${nextCode()}`,
						organisation_id: organisation.id,
						standard_id: standard.id,
						scope: '售后服务',
						grade_level_id: four!.id,
						issued_on: '2026-01-01',
						expires_on: '2028-12-31',
						decided_on: '2026-01-01'
					})
					.execute()
			);
			const error = await expectRefused(
				() =>
					caller.updateGradeScale({
						id: scale.id,
						nameZh: '星级',
						levels: [{ id: five!.id, code: '5-star', labelZh: '五星', minScore: 95 }]
					}),
				'BAD_REQUEST'
			);
			expect(refusalOf(error)).toMatchObject({
				messageKey: 'catalogue_error_level_in_use',
				params: { code: '4-star', labelZh: '四星', labelEn: 'Four stars' }
			});
			expect((await caller.gradeScale({ id: scale.id })).levels).toHaveLength(3);

			const other = await caller.createGradeScale({ ...STAR_SCALE, nameZh: '另一个' });
			const scaleError = await expectRefused(
				() =>
					caller.updateStandard({
						id: standard.id,
						version: 1,
						code: standard.code,
						titleZh: standard.title_zh,
						gradeScaleId: other.id
					}),
				'BAD_REQUEST'
			);
			expect(refusalOf(scaleError)).toMatchObject({
				messageKey: 'catalogue_error_scale_in_use',
				field: 'gradeScaleId'
			});
		});
	});

	describe('scheme rules', () => {
		const custom = {
			...DEFAULT_SCHEME_RULES,
			firstSurveillanceFrom: 'issue' as const,
			majorDueDays: 15,
			minorDueDays: 60,
			overdueMinorBecomesMajor: true
		};

		it('are saved over the defaults, then edited by version, each save audited', async () => {
			const standard = await newStandard();
			const caller = callerFor(app, adminA).catalogue;
			const first = await caller.updateSchemeRules({
				standardId: standard.id,
				version: 0,
				...custom
			});
			expect(first).toEqual({ ...custom, version: 1, saved: true });
			const read = await callerFor(app, evaluatorA).catalogue.standard({ id: standard.id });
			expect(read.schemeRules).toEqual({ ...custom, version: 1, saved: true });
			// The clocks of the other areas read the same rules.
			const clocks = await t.db.inTenant({ tenantId: tenantA.id, userId: null }, (tx) =>
				findSchemeRules(tx, standard.id)
			);
			expect(clocks).toEqual(custom);

			const second = await caller.updateSchemeRules({
				standardId: standard.id,
				version: 1,
				...custom,
				certificateValidityMonths: 24
			});
			expect(second.version).toBe(2);

			const audit = await auditOf('scheme_rules', standard.id);
			expect(audit.map((entry) => entry.action)).toEqual([
				'scheme_rules.update',
				'scheme_rules.update'
			]);
			expect(json(audit[0]?.before)).toEqual(DEFAULT_SCHEME_RULES);
			expect(json(audit[0]?.after)).toEqual(custom);
			expect(json(audit[1]?.before)).toEqual(custom);
			expect(json(audit[1]?.after)).toEqual({ ...custom, certificateValidityMonths: 24 });
		});

		it('refuse a stale version, including a second first save', async () => {
			const standard = await newStandard();
			const caller = callerFor(app, adminA).catalogue;
			await caller.updateSchemeRules({ standardId: standard.id, version: 0, ...custom });
			await expectRefused(
				() =>
					caller.updateSchemeRules({
						standardId: standard.id,
						version: 0,
						...DEFAULT_SCHEME_RULES
					}),
				'CONFLICT'
			);
			await caller.updateSchemeRules({ standardId: standard.id, version: 1, ...custom });
			await expectRefused(
				() =>
					caller.updateSchemeRules({
						standardId: standard.id,
						version: 1,
						...DEFAULT_SCHEME_RULES
					}),
				'CONFLICT'
			);
			expect((await caller.standard({ id: standard.id })).schemeRules).toMatchObject({
				...custom,
				version: 2
			});
		});

		it('refuse a value out of bounds with the message on its field', async () => {
			const standard = await newStandard();
			const cases: [Partial<typeof custom>, string, string][] = [
				[{ majorDueDays: 0 }, 'majorDueDays', en.catalogue_rules_error_major],
				[{ minorDueDays: 1.5 }, 'minorDueDays', en.catalogue_rules_error_minor],
				[
					{ certificateValidityMonths: 121 },
					'certificateValidityMonths',
					en.catalogue_rules_error_validity
				],
				[{ suspendWithinDays: -5 }, 'suspendWithinDays', en.catalogue_rules_error_suspend_within],
				[
					{ firstSurveillanceMonths: 36, certificateValidityMonths: 36 },
					'firstSurveillanceMonths',
					en.catalogue_rules_error_first_after_expiry
				],
				[
					{ majorDueDays: 100, minorDueDays: 90 },
					'majorDueDays',
					en.catalogue_rules_error_major_after_minor
				]
			];
			for (const [change, field, message] of cases) {
				const rules = { ...DEFAULT_SCHEME_RULES, ...change };
				await expectRefused(
					() =>
						callerFor(app, adminA).catalogue.updateSchemeRules({
							standardId: standard.id,
							version: 0,
							...rules
						}),
					'BAD_REQUEST'
				);
				const { status, body } = await post(
					'catalogue.updateSchemeRules',
					{ standardId: standard.id, version: 0, ...rules },
					adminA
				);
				expect(status).toBe(400);
				expect(body.error.json.data.fields).toEqual({ [field]: message });
			}
			const wrongFrom = await post(
				'catalogue.updateSchemeRules',
				{
					standardId: standard.id,
					version: 0,
					...DEFAULT_SCHEME_RULES,
					firstSurveillanceFrom: 'audit'
				},
				adminA,
				'zh-CN'
			);
			expect(wrongFrom.body.error.json.data.fields).toEqual({
				firstSurveillanceFrom: zhCN.catalogue_rules_error_from
			});
			expect(
				(await callerFor(app, adminA).catalogue.standard({ id: standard.id })).schemeRules.saved
			).toBe(false);
		});

		it('refuse bad values in the service too, for pages that call it directly', async () => {
			const { updateSchemeRules } = await import('../../src/lib/server/services/scheme-rules');
			const standard = await newStandard();
			const before = await auditCount();
			const error = await Promise.resolve()
				.then(() =>
					updateSchemeRules(t.db, adminA, standard.id, 0, {
						...DEFAULT_SCHEME_RULES,
						maxSuspensionMonths: 0
					})
				)
				.catch((cause: unknown) => cause);
			expect(error).toBeInstanceOf(Refusal);
			expect(error).toMatchObject({
				kind: 'BAD_REQUEST',
				field: 'maxSuspensionMonths',
				messageKey: 'catalogue_rules_error_suspension'
			});
			expect(await auditCount()).toBe(before);
		});
	});
});
