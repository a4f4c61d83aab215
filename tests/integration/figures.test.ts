import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { newActor, newOrganisation, newTenant } from '../support/factories';
import {
	bodyFigures,
	dashboardFigures,
	figuresPeriod,
	organisationFigures
} from '../../src/lib/server/services/figures';
import { listFindings } from '../../src/lib/server/services/findings';
import { managementReviewWorkbook } from '../../src/lib/server/services/management-review';
import { Refusal } from '../../src/lib/server/errors';
import type { Actor } from '../../src/lib/server/actor';
import type {
	CertificateStatus,
	EvaluationStatus,
	FindingKind,
	FindingStatus,
	NonconformityGrade
} from '../../db/schema';
import ExcelJS from 'exceljs';

/*
 * Issue 11 items 2 and 6: each figure's numbers against hand-made findings whose answers are
 * worked out below, on PostgreSQL and PGlite. Another body's findings are never counted; an
 * organisation's users count their own organisation's released findings only. Today is
 * 2026-12-01 in Asia/Shanghai.
 */
const NOW = new Date('2026-12-01T04:00:00Z');
const PERIOD = { from: '2026-01-01', to: '2026-12-01' };

describe.each(DIALECTS)('figures (%s)', (kind) => {
	let t: TestDatabase;
	let admin: Actor;
	let evaluatorA: Actor;
	let evaluatorB: Actor;
	let orgUser: Actor;
	let otherOrgUser: Actor;
	let otherAdmin: Actor;
	const ids: Record<string, string> = {};

	/** Rows of one tenant, written through the app role as the services would. */
	async function arrange(
		tenantId: string,
		userId: string,
		work: (
			tx: Parameters<Parameters<TestDatabase['db']['inTenant']>[1]>[0],
			base: { tenant_id: string }
		) => Promise<void>
	) {
		await t.db.inTenant({ tenantId, userId }, (tx) => work(tx, { tenant_id: tenantId }));
	}

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		const tenant = await newTenant(t);
		const o1 = await newOrganisation(t, tenant.id, 'Alpha 服务有限公司');
		const o2 = await newOrganisation(t, tenant.id, 'Beta 物业');
		ids.o1 = o1.id;
		ids.o2 = o2.id;
		admin = await newActor(t, tenant.id, 'admin');
		evaluatorA = await newActor(t, tenant.id, 'evaluator');
		evaluatorB = await newActor(t, tenant.id, 'evaluator');
		orgUser = await newActor(t, tenant.id, 'org_admin', o1.id);
		otherOrgUser = await newActor(t, tenant.id, 'org_member', o2.id);

		await arrange(tenant.id, admin.userId, async (tx, base) => {
			const scale = await tx
				.insertInto('grade_scales')
				.values({ ...base, name_zh: '星级', name_en: 'Stars' })
				.returning('id')
				.executeTakeFirstOrThrow();
			const five = await tx
				.insertInto('grade_levels')
				.values({
					...base,
					grade_scale_id: scale.id,
					rank: 1,
					code: '5',
					label_zh: '五星',
					label_en: 'Five stars'
				})
				.returning('id')
				.executeTakeFirstOrThrow();
			const standard = async (code: string) =>
				(
					await tx
						.insertInto('standards')
						.values({ ...base, code, title_zh: code, grade_scale_id: scale.id })
						.returning('id')
						.executeTakeFirstOrThrow()
				).id;
			ids.s1 = await standard('GB/T 27922-2011');
			ids.s2 = await standard('GB/T 20647.9-2006');
			const clause = async (standardId: string, number: string) =>
				(
					await tx
						.insertInto('clauses')
						.values({
							...base,
							standard_id: standardId,
							number,
							title_zh: number,
							sort_key: number
						})
						.returning('id')
						.executeTakeFirstOrThrow()
				).id;
			ids.c1 = await clause(ids.s1!, '4.1');
			ids.c2 = await clause(ids.s1!, '5.2');
			ids.c3 = await clause(ids.s2!, '7.1');

			const evaluation = async (
				organisationId: string,
				standardId: string,
				windowStart: string,
				status: EvaluationStatus,
				reportIssuedAt: string | null
			) =>
				(
					await tx
						.insertInto('evaluations')
						.values({
							...base,
							kind: 'initial',
							organisation_id: organisationId,
							standard_id: standardId,
							window_start: windowStart,
							window_end: windowStart,
							status,
							report_issued_at: reportIssuedAt ? new Date(reportIssuedAt) : null
						})
						.returning('id')
						.executeTakeFirstOrThrow()
				).id;
			const ev1 = await evaluation(
				o1.id,
				ids.s1!,
				'2026-03-10',
				'report_issued',
				'2026-03-20T02:00:00Z'
			);
			// Issued 2026-05-31 20:00 UTC: 1 June in Shanghai, so done in June.
			const ev2 = await evaluation(o2.id, ids.s2!, '2026-05-05', 'closed', '2026-05-31T20:00:00Z');
			// In progress: its findings are not yet the organisation's to see.
			const ev3 = await evaluation(o1.id, ids.s1!, '2026-11-20', 'in_progress', null);

			let n = 0;
			const finding = async (
				evaluationId: string,
				raisedBy: string,
				f: {
					kind?: FindingKind;
					grade?: NonconformityGrade;
					clause: string | null;
					raised: string;
					due: string | null;
					status: FindingStatus;
					closedAt?: string;
				}
			) => {
				const findingKind = f.kind ?? 'nonconformity';
				await tx
					.insertInto('findings')
					.values({
						...base,
						evaluation_id: evaluationId,
						reference: `NC-${++n}`,
						kind: findingKind,
						grade: findingKind === 'nonconformity' ? (f.grade ?? 'minor') : null,
						clause_id: f.clause,
						statement: `finding ${n}`,
						raised_by: raisedBy,
						raised_on: f.raised,
						due_on: f.due,
						status: f.status,
						closed_at: f.closedAt ? new Date(f.closedAt) : null
					})
					.execute();
			};
			const a = evaluatorA.userId;
			const b = evaluatorB.userId;
			// f1: 234 days overdue (> 90).
			await finding(ev1, a, {
				grade: 'major',
				clause: ids.c1!,
				raised: '2026-03-12',
				due: '2026-04-11',
				status: 'open'
			});
			// f2: 3 days overdue (0–7).
			await finding(ev1, a, {
				clause: ids.c1!,
				raised: '2026-03-12',
				due: '2026-11-28',
				status: 'action_in_progress'
			});
			// f3: 30 days overdue (8–30).
			await finding(ev1, a, {
				clause: ids.c2!,
				raised: '2026-03-12',
				due: '2026-11-01',
				status: 'evidence_submitted'
			});
			// f4: not due yet.
			await finding(ev1, a, {
				clause: ids.c2!,
				raised: '2026-03-12',
				due: '2027-01-10',
				status: 'response_submitted'
			});
			// f5: closed 21 June in Shanghai: 20 days, on time.
			await finding(ev2, b, {
				grade: 'major',
				clause: ids.c3!,
				raised: '2026-06-01',
				due: '2026-07-01',
				status: 'closed',
				closedAt: '2026-06-20T18:00:00Z'
			});
			// f6: closed 1 July: 30 days, late.
			await finding(ev2, b, {
				clause: ids.c3!,
				raised: '2026-06-01',
				due: '2026-06-10',
				status: 'closed',
				closedAt: '2026-07-01T01:00:00Z'
			});
			// f7: no clause, 91 days overdue (> 90).
			await finding(ev2, b, {
				clause: null,
				raised: '2026-06-01',
				due: '2026-09-01',
				status: 'open'
			});
			// f8: unreleased, 6 days overdue (0–7).
			await finding(ev3, a, {
				grade: 'major',
				clause: ids.c1!,
				raised: '2026-11-21',
				due: '2026-11-25',
				status: 'open'
			});
			// f9: an observation: never a nonconformity figure.
			await finding(ev1, a, {
				kind: 'observation',
				clause: ids.c1!,
				raised: '2026-03-12',
				due: null,
				status: 'open'
			});
			// f10: closed 1 April: 20 days, on time.
			await finding(ev1, a, {
				clause: ids.c2!,
				raised: '2026-03-12',
				due: '2026-04-11',
				status: 'closed',
				closedAt: '2026-04-01T10:00:00Z'
			});
			// f11: closed 2025-12-31 17:00 UTC = 1 January 2026 in Shanghai: in the period, 31 days, late.
			await finding(ev1, a, {
				clause: ids.c1!,
				raised: '2025-12-01',
				due: '2025-12-31',
				status: 'closed',
				closedAt: '2025-12-31T17:00:00Z'
			});

			const certificate = async (
				organisationId: string,
				standardId: string,
				status: CertificateStatus,
				grade: string | null
			) =>
				tx
					.insertInto('certificates')
					.values({
						...base,
						number: `CERT-${++n}`,
						organisation_id: organisationId,
						standard_id: standardId,
						scope: 'scope',
						grade_level_id: grade,
						status,
						issued_on: '2026-01-01',
						expires_on: '2028-12-31',
						decided_on: '2026-01-01'
					})
					.execute();
			await certificate(o1.id, ids.s1!, 'active', five.id);
			await certificate(o1.id, ids.s1!, 'active', five.id);
			await certificate(o2.id, ids.s2!, 'suspended', null);
		});

		// Another body, with overdue findings of its own: never counted above.
		const other = await newTenant(t);
		const otherOrg = await newOrganisation(t, other.id);
		otherAdmin = await newActor(t, other.id, 'admin');
		await arrange(other.id, otherAdmin.userId, async (tx, base) => {
			const standard = await tx
				.insertInto('standards')
				.values({ ...base, code: 'GB/T 27922-2011', title_zh: 'x' })
				.returning('id')
				.executeTakeFirstOrThrow();
			const evaluation = await tx
				.insertInto('evaluations')
				.values({
					...base,
					kind: 'initial',
					organisation_id: otherOrg.id,
					standard_id: standard.id,
					window_start: '2026-03-10',
					window_end: '2026-03-11',
					status: 'report_issued',
					report_issued_at: new Date('2026-03-20T02:00:00Z')
				})
				.returning('id')
				.executeTakeFirstOrThrow();
			for (let i = 0; i < 3; i++)
				await tx
					.insertInto('findings')
					.values({
						...base,
						evaluation_id: evaluation.id,
						reference: `NC-${i}`,
						kind: 'nonconformity',
						grade: 'major',
						statement: 'other',
						raised_by: otherAdmin.userId,
						raised_on: '2026-03-12',
						due_on: '2026-04-01',
						status: i === 0 ? 'closed' : 'open',
						closed_at: i === 0 ? new Date('2026-03-30T00:00:00Z') : null
					})
					.execute();
		});
	});

	afterAll(async () => {
		await t?.drop();
	});

	it('counts open and overdue nonconformities by grade, standard, clause and organisation', async () => {
		const f = await bodyFigures(t.db, admin, PERIOD, NOW);
		expect(f.today).toBe('2026-12-01');
		expect(f.byGrade).toEqual([
			{ grade: 'major', open: 2, overdue: 2 },
			{ grade: 'minor', open: 4, overdue: 3 }
		]);
		expect(f.byStandard).toEqual([
			{ id: ids.s1, code: 'GB/T 27922-2011', open: 5, overdue: 4 },
			{ id: ids.s2, code: 'GB/T 20647.9-2006', open: 1, overdue: 1 }
		]);
		expect(f.byClause).toEqual([
			{ id: ids.c1, number: '4.1', standardCode: 'GB/T 27922-2011', open: 3, overdue: 3 },
			{ id: ids.c2, number: '5.2', standardCode: 'GB/T 27922-2011', open: 2, overdue: 1 },
			{ id: null, number: null, standardCode: 'GB/T 20647.9-2006', open: 1, overdue: 1 }
		]);
		expect(f.byOrganisation).toEqual([
			{ id: ids.o1, name: 'Alpha 服务有限公司', open: 5, overdue: 4 },
			{ id: ids.o2, name: 'Beta 物业', open: 1, overdue: 1 }
		]);
	});

	it('ages overdue actions in bands, each band the due dates the finding list filters by', async () => {
		const f = await bodyFigures(t.db, admin, PERIOD, NOW);
		expect(f.ageing).toEqual([
			{ key: '0-7', count: 2, dueFrom: '2026-11-24', dueTo: '2026-12-01' },
			{ key: '8-30', count: 1, dueFrom: '2026-11-01', dueTo: '2026-11-23' },
			{ key: '31-90', count: 0, dueFrom: '2026-09-02', dueTo: '2026-10-31' },
			{ key: '90+', count: 2, dueFrom: null, dueTo: '2026-09-01' }
		]);
		// A bar's list shows as many findings as the bar counts.
		for (const band of f.ageing) {
			const page = await listFindings(
				t.db,
				admin,
				{
					kind: 'nonconformity',
					overdue: true,
					dueFrom: band.dueFrom ?? undefined,
					dueTo: band.dueTo
				},
				null,
				{ now: NOW }
			);
			expect(page.rows, band.key).toHaveLength(band.count);
		}
		for (const clause of f.byClause.filter((row) => row.id)) {
			const open = await listFindings(
				t.db,
				admin,
				{ kind: 'nonconformity', clauseId: clause.id!, unclosed: true, sort: 'status' },
				null,
				{ now: NOW }
			);
			expect(open.rows, clause.number!).toHaveLength(clause.open);
		}
	});

	it('gives days to close per standard and per evaluator, closings dated in the tenant zone', async () => {
		const f = await bodyFigures(t.db, admin, PERIOD, NOW);
		// Equal counts: in the order of their names.
		expect(f.closeByStandard).toEqual([
			{ id: ids.s2, code: 'GB/T 20647.9-2006', count: 2, mean: 25, p90: 30 },
			{ id: ids.s1, code: 'GB/T 27922-2011', count: 2, mean: 25.5, p90: 31 }
		]);
		const byEvaluator = f.closeByEvaluator.map(({ id, count, mean, p90 }) => ({
			id,
			count,
			mean,
			p90
		}));
		expect(byEvaluator).toHaveLength(2);
		expect(byEvaluator).toEqual(
			expect.arrayContaining([
				{ id: evaluatorA.userId, count: 2, mean: 25.5, p90: 31 },
				{ id: evaluatorB.userId, count: 2, mean: 25, p90: 30 }
			])
		);
		// A period that starts on 2 January leaves out the closing of 1 January (Shanghai).
		const later = await bodyFigures(t.db, admin, { from: '2026-01-02', to: '2026-12-01' }, NOW);
		expect(later.closeByStandard.find((row) => row.id === ids.s1)).toMatchObject({
			count: 1,
			mean: 20,
			p90: 20
		});
	});

	it('counts evaluations planned and done per month, and certificates by status and grade', async () => {
		const f = await bodyFigures(t.db, admin, PERIOD, NOW);
		expect(f.evaluationsByMonth).toHaveLength(12);
		const nonzero = f.evaluationsByMonth.filter((row) => row.planned || row.done);
		expect(nonzero).toEqual([
			{ month: '2026-03', planned: 1, done: 1 },
			{ month: '2026-05', planned: 1, done: 0 },
			{ month: '2026-06', planned: 0, done: 1 },
			{ month: '2026-11', planned: 1, done: 0 }
		]);
		expect(
			f.certificates.map(({ status, gradeCode, count }) => ({ status, gradeCode, count }))
		).toEqual([
			{ status: 'active', gradeCode: '5', count: 2 },
			{ status: 'suspended', gradeCode: null, count: 1 }
		]);
	});

	it("never counts another body's findings, and the other body sees only its own", async () => {
		const other = await bodyFigures(t.db, otherAdmin, PERIOD, NOW);
		expect(other.byGrade).toEqual([{ grade: 'major', open: 2, overdue: 2 }]);
		expect(other.byOrganisation).toHaveLength(1);
		expect(other.certificates).toEqual([]);
		expect(other.closeByStandard.map((row) => row.count)).toEqual([1]);
	});

	it('limits an organisation user to their organisation and released findings', async () => {
		const f = await organisationFigures(t.db, orgUser, ids.o1!, NOW);
		expect(f.openByStatus.toSorted((a, b) => a.status.localeCompare(b.status))).toEqual([
			{ status: 'action_in_progress', open: 1, overdue: 1 },
			{ status: 'evidence_submitted', open: 1, overdue: 1 },
			{ status: 'open', open: 1, overdue: 1 },
			{ status: 'response_submitted', open: 1, overdue: 0 }
		]);
		expect(f.byClause).toEqual([
			{
				id: ids.c1,
				number: '4.1',
				standardCode: 'GB/T 27922-2011',
				count: 3,
				evaluations: 1,
				open: 2,
				lastRaisedOn: '2026-03-12'
			},
			{
				id: ids.c2,
				number: '5.2',
				standardCode: 'GB/T 27922-2011',
				count: 3,
				evaluations: 1,
				open: 2,
				lastRaisedOn: '2026-03-12'
			}
		]);
		expect(f.due).toEqual({ closedOnTime: 1, closedLate: 1, openOverdue: 3 });
		expect(f.onTimeRate).toBe(20);

		// The body's staff see the unreleased evaluation's finding too.
		const staff = await organisationFigures(t.db, admin, ids.o1!, NOW);
		expect(staff.due).toEqual({ closedOnTime: 1, closedLate: 1, openOverdue: 4 });
		expect(staff.onTimeRate).toBe(16.7);
		expect(staff.byClause[0]).toMatchObject({ id: ids.c1, count: 4, evaluations: 2, open: 3 });

		// The dashboard shows an organisation user their own figures, the staff the body's.
		const mine = await dashboardFigures(t.db, orgUser, NOW);
		expect(mine?.kind === 'organisation' && mine.organisation.onTimeRate).toBe(20);
		const body = await dashboardFigures(t.db, evaluatorA, NOW);
		expect(body?.kind === 'body' && body.byGrade).toEqual([
			{ grade: 'major', open: 2, overdue: 2 },
			{ grade: 'minor', open: 4, overdue: 3 }
		]);
	});

	it("refuses another organisation's figures and the body's figures to organisation users", async () => {
		await expect(organisationFigures(t.db, otherOrgUser, ids.o1!, NOW)).rejects.toMatchObject({
			kind: 'NOT_FOUND'
		});
		await expect(bodyFigures(t.db, orgUser, PERIOD, NOW)).rejects.toBeInstanceOf(Refusal);
	});

	it('refuses a period backwards, too long or not a date, with a message', () => {
		const period = (query: string) => () => figuresPeriod(new URLSearchParams(query), admin, NOW);
		expect(period('')()).toEqual({ from: '2026-01-01', to: '2026-12-01' });
		expect(period('from=2026-05-01&to=2026-04-01')).toThrow(
			expect.objectContaining({ messageKey: 'figures_error_period_order' })
		);
		expect(period('from=2019-01-01&to=2026-04-01')).toThrow(
			expect.objectContaining({ messageKey: 'figures_error_period_length' })
		);
		expect(period('from=2026-02-30')).toThrow(
			expect.objectContaining({ messageKey: 'figures_error_date_invalid' })
		);
	});

	it('writes the management review workbook with the same numbers', async () => {
		const f = await bodyFigures(t.db, admin, PERIOD, NOW);
		const bytes = await managementReviewWorkbook(admin, f, 'zh-CN');
		const workbook = new ExcelJS.Workbook();
		await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
		const byGrade = workbook.getWorksheet('按等级')!;
		expect(byGrade.getRow(1).values).toEqual([undefined, '等级', '未关闭', '逾期']);
		expect(byGrade.getRow(2).values).toEqual([undefined, '严重', 2, 2]);
		const ageing = workbook.getWorksheet('逾期账龄')!;
		expect(ageing.getColumn(2).values.slice(2)).toEqual([2, 1, 0, 2]);
	});
});
