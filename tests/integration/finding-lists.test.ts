import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { callerFor, newActor, newOrganisation, newTenant, testApp } from '../support/factories';
import { newStandard } from '../support/evaluations-factories';
import {
	encodeFindingCursor,
	listFindings,
	type FindingFilter,
	type FindingListOptions,
	type FindingSort
} from '../../src/lib/server/services/findings';
import { addDays } from '../../src/lib/server/domain/calendar';
import type { Actor } from '../../src/lib/server/actor';
import type { App } from '../../src/lib/server/app';
import type { FindingKind, FindingStatus, NonconformityGrade } from '../../db/schema';

/*
 * The CB's finding list: every filter, text search in Chinese and English, three sort orders, and
 * keyset pages that cover every row exactly once and in order — with the default page size, with
 * small pages that cross every stretch of the indexes, and with searches that stop at their scan
 * limit and carry on.
 */

interface Row {
	id: string;
	tenantId: string;
	evaluationId: string;
	organisationId: string;
	standardId: string;
	reference: string;
	kind: FindingKind;
	grade: NonconformityGrade | null;
	clauseNumber: string | null;
	statement: string;
	objectiveEvidence: string;
	raisedOn: string;
	dueOn: string | null;
	status: FindingStatus;
}

const STATUSES: FindingStatus[] = [
	'open',
	'response_submitted',
	'action_in_progress',
	'evidence_submitted',
	'closed'
];
const STATEMENTS = [
	'未按规定保存派工单记录',
	'Complaint handling records are incomplete',
	'售后服务人员培训记录不完整',
	'Customer satisfaction survey was not analysed',
	'服务承诺完成率 100% 的目标未经验证'
];
const EVIDENCE = ['抽查 2025 年工单 12 份，3 份无客户签字', 'Sampled 10 work orders', ''];
// Shanghai noon on 15 March 2026: "today" for overdue.
const NOW = new Date('2026-03-15T04:00:00Z');
const TODAY = '2026-03-15';

/** The order each sort promises, as a comparator. */
const ORDERS: Record<FindingSort, (a: Row, b: Row) => number> = {
	raised: (a, b) =>
		a.raisedOn !== b.raisedOn ? (a.raisedOn < b.raisedOn ? 1 : -1) : a.id < b.id ? 1 : -1,
	due: (a, b) => dueOrder(a, b),
	status: (a, b) => STATUSES.indexOf(a.status) - STATUSES.indexOf(b.status) || dueOrder(a, b)
};

function dueOrder(a: Row, b: Row): number {
	if (a.dueOn !== b.dueOn) {
		if (a.dueOn === null) return 1;
		if (b.dueOn === null) return -1;
		return a.dueOn < b.dueOn ? -1 : 1;
	}
	return a.id < b.id ? -1 : 1;
}

function matches(row: Row, search: string): boolean {
	const needle = search.toLowerCase();
	return [row.statement, row.objectiveEvidence, row.reference, row.clauseNumber ?? ''].some(
		(text) => text.toLowerCase().includes(needle)
	);
}

describe.each(DIALECTS)('finding lists (%s)', (kind) => {
	let t: TestDatabase;
	let app: App;
	let tenantId: string;
	let otherTenantId: string;
	let evaluator: Actor;
	let decider: Actor;
	let orgUser: Actor;
	let otherEvaluator: Actor;
	const rows: Row[] = [];
	const ids: Record<string, string> = {};

	/** Every page, first to last, following `next`. */
	async function walk(
		actor: Actor,
		filter: FindingFilter,
		options: FindingListOptions = {}
	): Promise<{ ids: string[]; sizes: number[]; stopped: number }> {
		const seen: string[] = [];
		const sizes: number[] = [];
		let stopped = 0;
		let cursor: string | null = null;
		for (let page = 0; page < 1000; page++) {
			const result = await listFindings(t.db, actor, filter, cursor, { now: NOW, ...options });
			seen.push(...result.rows.map((row) => row.id));
			sizes.push(result.rows.length);
			if (result.searchStopped) stopped++;
			if (!result.next) return { ids: seen, sizes, stopped };
			cursor = result.next;
		}
		throw new Error('the pages never end');
	}

	function expected(filter: (row: Row) => boolean, sort: FindingSort, tenant = tenantId) {
		return rows
			.filter((row) => row.tenantId === tenant && filter(row))
			.sort(ORDERS[sort])
			.map((row) => row.id);
	}

	/** Three evaluations over two organisations and two standards, and `count` findings on them. */
	async function populate(tenant: string, count: number, prefix: string) {
		const organisations = [
			await newOrganisation(t, tenant, `${prefix} 厦门立顺捷机电服务有限公司`),
			await newOrganisation(t, tenant, `${prefix} Acme Property Services`)
		];
		const standards = [
			await newStandard(t, tenant, ['4.1', '4.2', '5.3']),
			await newStandard(t, tenant, ['7.1'])
		];
		const person = await newActor(t, tenant, 'evaluator');
		const plan = [
			[organisations[0]!, standards[0]!],
			[organisations[1]!, standards[0]!],
			[organisations[0]!, standards[1]!]
		] as const;
		await t.db.inTenant({ tenantId: tenant, userId: null }, async (tx) => {
			const evaluations = [];
			for (const [organisation, standard] of plan)
				evaluations.push({
					organisation,
					standard,
					row: await tx
						.insertInto('evaluations')
						.values({
							tenant_id: tenant,
							kind: 'initial',
							organisation_id: organisation.id,
							standard_id: standard.id,
							window_start: '2026-01-01',
							window_end: '2026-01-02',
							status: 'report_issued'
						})
						.returning('id')
						.executeTakeFirstOrThrow()
				});
			for (let i = 0; i < count; i++) {
				const evaluation = evaluations[i % 3]!;
				const kind: FindingKind =
					i % 5 < 3 ? 'nonconformity' : i % 5 === 3 ? 'observation' : 'opportunity';
				const grade: NonconformityGrade | null =
					kind === 'nonconformity' ? (i % 2 ? 'minor' : 'major') : null;
				// Few distinct days, so many rows tie on the date and the id decides.
				const raisedOn = addDays('2026-01-01', (i * 7) % 40);
				const dueOn = grade ? addDays(raisedOn, grade === 'major' ? 30 : 90) : null;
				const clauses = evaluation.standard.clauses;
				const clause = i % 7 === 0 ? null : clauses[Math.floor(i / 3) % clauses.length]!;
				const reference = `${kind === 'nonconformity' ? 'NC' : kind === 'observation' ? 'OBS' : 'OFI'}-${i}`;
				const statement = `${STATEMENTS[i % STATEMENTS.length]} #${i}`;
				const objectiveEvidence = EVIDENCE[i % EVIDENCE.length]!;
				const status = STATUSES[Math.floor(i / 5) % STATUSES.length]!;
				const finding = await tx
					.insertInto('findings')
					.values({
						tenant_id: tenant,
						evaluation_id: evaluation.row.id,
						reference,
						kind,
						grade,
						clause_id: clause?.id ?? null,
						statement,
						objective_evidence: objectiveEvidence,
						raised_by: person.userId,
						raised_on: raisedOn,
						due_on: dueOn,
						status
					})
					.returning('id')
					.executeTakeFirstOrThrow();
				rows.push({
					id: finding.id,
					tenantId: tenant,
					evaluationId: evaluation.row.id,
					organisationId: evaluation.organisation.id,
					standardId: evaluation.standard.id,
					reference,
					kind,
					grade,
					clauseNumber: clause?.number ?? null,
					statement,
					objectiveEvidence,
					raisedOn,
					dueOn,
					status
				});
			}
			return evaluations;
		});
		return { organisations, standards };
	}

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		app = testApp(t);
		tenantId = (await newTenant(t)).id;
		otherTenantId = (await newTenant(t)).id;
		const { organisations, standards } = await populate(tenantId, 120, 'A');
		await populate(otherTenantId, 12, 'B');
		ids.orgX = organisations[0]!.id;
		ids.orgY = organisations[1]!.id;
		ids.stdS = standards[0]!.id;
		ids.stdT = standards[1]!.id;
		ids.evaluation = rows[0]!.evaluationId;
		evaluator = await newActor(t, tenantId, 'evaluator');
		decider = await newActor(t, tenantId, 'decision_maker');
		orgUser = await newActor(t, tenantId, 'org_member', ids.orgX);
		otherEvaluator = await newActor(t, otherTenantId, 'evaluator');
	}, 300_000);

	afterAll(async () => {
		await t?.drop();
	});

	describe.each(['raised', 'due', 'status'] as const)('sorted by %s', (sort) => {
		it('covers every finding exactly once, in order, 50 a page', async () => {
			const { ids: seen, sizes } = await walk(evaluator, { sort });
			expect(sizes).toEqual([50, 50, 20]);
			expect(new Set(seen).size).toBe(seen.length);
			expect(seen).toEqual(expected(() => true, sort));
		});

		it('crosses every stretch with small pages, filters included', async () => {
			const filters: [FindingFilter, (row: Row) => boolean][] = [
				[{}, () => true],
				[{ kind: 'nonconformity' }, (row) => row.kind === 'nonconformity'],
				[{ status: 'closed' }, (row) => row.status === 'closed'],
				[
					{ overdue: true },
					(row) => row.dueOn !== null && row.dueOn < TODAY && row.status !== 'closed'
				],
				[{ organisationId: ids.orgX }, (row) => row.organisationId === ids.orgX]
			];
			for (const [filter, keep] of filters) {
				const { ids: seen } = await walk(evaluator, { ...filter, sort }, { pageSize: 7 });
				expect(seen, JSON.stringify(filter)).toEqual(expected(keep, sort));
			}
		});

		it('carries a search on past its scan limit until every match is found', async () => {
			const { ids: seen, stopped } = await walk(
				evaluator,
				{ sort, search: '记录' },
				{ pageSize: 4, scanLimit: 9 }
			);
			expect(stopped).toBeGreaterThan(0);
			expect(seen).toEqual(expected((row) => matches(row, '记录'), sort));
		});
	});

	it('filters by status, grade, kind, standard, organisation, evaluation and overdue', async () => {
		const cases: [FindingFilter, (row: Row) => boolean][] = [
			[{ status: 'open' }, (row) => row.status === 'open'],
			[{ status: 'evidence_submitted' }, (row) => row.status === 'evidence_submitted'],
			[{ grade: 'major' }, (row) => row.grade === 'major'],
			[{ kind: 'observation' }, (row) => row.kind === 'observation'],
			[{ standardId: ids.stdT }, (row) => row.standardId === ids.stdT],
			[{ organisationId: ids.orgY }, (row) => row.organisationId === ids.orgY],
			[{ evaluationId: ids.evaluation }, (row) => row.evaluationId === ids.evaluation],
			[
				{ overdue: true },
				(row) => row.dueOn !== null && row.dueOn < TODAY && row.status !== 'closed'
			],
			[
				{ organisationId: ids.orgX, grade: 'major', overdue: true, standardId: ids.stdS },
				(row) =>
					row.organisationId === ids.orgX &&
					row.standardId === ids.stdS &&
					row.grade === 'major' &&
					row.dueOn !== null &&
					row.dueOn < TODAY &&
					row.status !== 'closed'
			]
		];
		for (const [filter, keep] of cases) {
			const want = expected(keep, 'raised');
			expect(want.length, JSON.stringify(filter)).toBeGreaterThan(0);
			expect((await walk(evaluator, filter)).ids, JSON.stringify(filter)).toEqual(want);
		}
		const page = await listFindings(t.db, evaluator, { overdue: true }, null, { now: NOW });
		expect(page.rows.every((row) => row.overdue)).toBe(true);
		const all = await listFindings(t.db, evaluator, {}, null, { now: NOW });
		for (const row of all.rows)
			expect(row.overdue).toBe(
				row.due_on !== null && row.due_on < TODAY && row.status !== 'closed'
			);
	});

	it('searches statements, evidence, references and clause numbers in Chinese and English', async () => {
		const searches = ['派工单', '工单', 'COMPLAINT handling', 'sampled 10', 'OBS-1', '5.3', '100%'];
		for (const search of searches) {
			const want = expected((row) => matches(row, search), 'raised');
			expect(want.length, search).toBeGreaterThan(0);
			expect((await walk(evaluator, { search })).ids, search).toEqual(want);
		}
		// LIKE's wildcards are searched for as themselves.
		expect((await walk(evaluator, { search: '_' })).ids).toEqual([]);
		expect((await walk(evaluator, { search: '%' })).ids).toEqual(
			expected((row) => matches(row, '%'), 'raised')
		);
		// Search and filters together.
		expect((await walk(evaluator, { search: 'records', grade: 'minor', sort: 'due' })).ids).toEqual(
			expected((row) => matches(row, 'records') && row.grade === 'minor', 'due')
		);
	});

	it('shows what a row needs: reference, organisation, standard, clause, dates', async () => {
		const page = await listFindings(t.db, decider, { evaluationId: ids.evaluation }, null, {
			now: NOW
		});
		const first = page.rows[0]!;
		const row = rows.find((r) => r.id === first.id)!;
		expect(first).toMatchObject({
			reference: row.reference,
			kind: row.kind,
			grade: row.grade,
			status: row.status,
			raised_on: row.raisedOn,
			due_on: row.dueOn,
			evaluation_id: row.evaluationId,
			organisation_id: row.organisationId,
			standard_id: row.standardId,
			clause_number: row.clauseNumber,
			statement: row.statement
		});
		expect(first.organisation_name).toContain('厦门立顺捷');
	});

	it("never shows another body's findings", async () => {
		const mine = await walk(evaluator, {});
		expect(mine.ids.every((id) => rows.find((r) => r.id === id)!.tenantId === tenantId)).toBe(true);
		const theirs = await walk(otherEvaluator, { sort: 'status' });
		expect(theirs.ids).toEqual(expected(() => true, 'status', otherTenantId));
		// Another body's evaluation as a filter finds nothing.
		expect((await walk(otherEvaluator, { evaluationId: ids.evaluation })).ids).toEqual([]);
	});

	it('answers through tRPC to body staff only', async () => {
		const page = await callerFor(app, decider).findings.list({ sort: 'due', grade: 'major' });
		expect(page.rows).toHaveLength(
			Math.min(50, rows.filter((r) => r.tenantId === tenantId && r.grade === 'major').length)
		);
		const next = await callerFor(app, evaluator).findings.list({ cursor: null });
		expect(next.rows).toHaveLength(50);
		const second = await callerFor(app, evaluator).findings.list({ cursor: next.next });
		expect(second.rows[0]!.id).not.toBe(next.rows[0]!.id);
		await expect(callerFor(app, orgUser).findings.list({})).rejects.toMatchObject({
			code: 'FORBIDDEN'
		});
		await expect(listFindings(t.db, orgUser, {}, null, { now: NOW })).rejects.toMatchObject({
			kind: 'FORBIDDEN'
		});
	});

	it('refuses filters that are none of the offered ones, with BAD_REQUEST', async () => {
		const caller = callerFor(app, evaluator);
		for (const filter of [
			{ status: 'lost' },
			{ sort: 'sideways' },
			{ standardId: 'not-an-id' },
			{ search: 'x'.repeat(201) },
			{ search: 'a\u0000b' }
		])
			await expect(
				caller.findings.list(filter as Parameters<typeof caller.findings.list>[0])
			).rejects.toMatchObject({ code: 'BAD_REQUEST' });
		// A form's spelling of the same filter is understood.
		const overdue = await caller.findings.list({
			overdue: 'on',
			grade: ''
		} as unknown as Parameters<typeof caller.findings.list>[0]);
		expect(overdue.rows.every((row) => row.overdue)).toBe(true);
	});

	it('refuses a cursor that is mangled or belongs to another sort', async () => {
		const caller = callerFor(app, evaluator);
		await expect(caller.findings.list({ cursor: 'not-a-cursor' })).rejects.toMatchObject({
			code: 'BAD_REQUEST',
			message: 'evaluations_error_cursor_invalid'
		});
		const dueCursor = encodeFindingCursor({
			sort: 'due',
			segment: 'due',
			key: { dueOn: '2026-02-01', id: rows[0]!.id }
		});
		await expect(caller.findings.list({ sort: 'raised', cursor: dueCursor })).rejects.toMatchObject(
			{ code: 'BAD_REQUEST' }
		);
		const page = await caller.findings.list({ sort: 'due', cursor: dueCursor });
		expect(page.rows.every((row) => row.due_on === null || row.due_on >= '2026-02-01')).toBe(true);
	});
});
