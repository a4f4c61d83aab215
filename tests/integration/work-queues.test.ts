import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import {
	actorOf,
	callerFor,
	newActor,
	newMembership,
	newOrganisation,
	newTenant,
	testApp
} from '../support/factories';
import { listWorkQueue, workQueueCounts } from '../../src/lib/server/services/work-queues';
import { QUEUE_SECTIONS, type QueueName } from '../../src/lib/server/domain/work-queues';
import { Refusal } from '../../src/lib/server/errors';
import type { Actor } from '../../src/lib/server/actor';
import type {
	EvaluationKind,
	EvaluationStatus,
	FindingStatus,
	NonconformityGrade
} from '../../db/schema';

/*
 * Issue 11 §1: each role's work queues. One small body, arranged row by row with the owner's
 * handle, where each queue holds a known number of things; a second body holds the same kinds of
 * things for the same people, which must never be counted. Today is 2026-12-01 (Asia/Shanghai).
 */

const NOW = new Date('2026-12-01T04:00:00Z');

describe.each(DIALECTS)('work queues (%s)', (kind) => {
	let t: TestDatabase;
	let tenantId: string;
	let evaluator: Actor;
	let otherEvaluator: Actor;
	let decider: Actor;
	let deciderOnTeam: Actor;
	let admin: Actor;
	let orgUser: Actor;
	let otherOrgUser: Actor;
	let evaluatorInB: Actor;
	const ids: Record<string, string> = {};

	async function standard(tenant: string) {
		return t.owner
			.insertInto('standards')
			.values({ tenant_id: tenant, code: `GB/T 27922-${Math.random()}`, title_zh: '售后服务' })
			.returning('id')
			.executeTakeFirstOrThrow();
	}

	async function certificate(
		tenant: string,
		organisationId: string,
		standardId: string,
		values: Partial<{
			status: 'active' | 'suspended';
			expires_on: string;
			decided_on: string;
			suspension_due_by: string;
			withdrawal_proposed_on: string;
		}> = {}
	) {
		const row = await t.owner
			.insertInto('certificates')
			.values({
				tenant_id: tenant,
				number: `C-${Math.random().toString(36).slice(2, 8)}`,
				organisation_id: organisationId,
				standard_id: standardId,
				scope: 'After-sales service',
				issued_on: '2026-06-01',
				expires_on: '2029-05-31',
				decided_on: '2026-06-01',
				...values
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		return row.id;
	}

	async function evaluation(
		tenant: string,
		organisationId: string,
		standardId: string,
		options: {
			status: EvaluationStatus;
			kind?: EvaluationKind;
			certificateId?: string;
			team?: { userId: string; lead?: boolean }[];
			window?: [string, string];
		}
	) {
		const row = await t.owner
			.insertInto('evaluations')
			.values({
				tenant_id: tenant,
				kind: options.kind ?? 'initial',
				certificate_id: options.certificateId ?? null,
				organisation_id: organisationId,
				standard_id: standardId,
				window_start: options.window?.[0] ?? '2026-11-01',
				window_end: options.window?.[1] ?? '2026-11-03',
				status: options.status
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		for (const member of options.team ?? [])
			await t.owner
				.insertInto('evaluation_team_members')
				.values({
					tenant_id: tenant,
					evaluation_id: row.id,
					user_id: member.userId,
					team_role: member.lead ? 'lead' : 'member'
				})
				.execute();
		return row.id;
	}

	let references = 0;
	async function finding(
		tenant: string,
		evaluationId: string,
		raisedBy: string,
		values: {
			status: FindingStatus;
			grade?: NonconformityGrade;
			due_on?: string;
			follow_up_check_on?: string;
		}
	) {
		const row = await t.owner
			.insertInto('findings')
			.values({
				tenant_id: tenant,
				evaluation_id: evaluationId,
				reference: `NC-${++references}`,
				kind: 'nonconformity',
				grade: values.grade ?? 'minor',
				statement: 'Statement',
				raised_by: raisedBy,
				raised_on: '2026-11-02',
				due_on: values.due_on ?? '2027-01-31',
				status: values.status,
				follow_up_check_on: values.follow_up_check_on ?? null
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		return row.id;
	}

	/** The same kinds of things in another body, for the same evaluator (a member of both). */
	async function arrangeOtherTenant(evaluatorUserId: string) {
		const b = await newTenant(t);
		await newMembership(t, b.id, evaluatorUserId, 'evaluator');
		evaluatorInB = await actorOf(t, b.id, evaluatorUserId);
		const organisation = await newOrganisation(t, b.id);
		const s = await standard(b.id);
		const c = await certificate(b.id, organisation.id, s.id, {
			expires_on: '2027-01-01',
			suspension_due_by: '2026-12-05'
		});
		const e = await evaluation(b.id, organisation.id, s.id, {
			status: 'report_issued',
			certificateId: c,
			team: [{ userId: evaluatorUserId, lead: true }]
		});
		await finding(b.id, e, evaluatorUserId, { status: 'response_submitted' });
		await finding(b.id, e, evaluatorUserId, { status: 'open', due_on: '2026-11-01' });
		await evaluation(b.id, organisation.id, s.id, { status: 'planned' });
		await t.owner
			.insertInto('outbox')
			.values({
				tenant_id: b.id,
				dedupe_key: 'b-failed',
				template: 'finding_raised',
				to_email: 'x@example.test',
				locale: 'en',
				subject: 'Failed in B',
				text_body: '',
				html_body: '',
				status: 'failed'
			})
			.execute();
	}

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		const tenant = await newTenant(t);
		tenantId = tenant.id;
		const o1 = await newOrganisation(t, tenantId, 'Lishunjie');
		const o2 = await newOrganisation(t, tenantId, 'Other org');
		evaluator = await newActor(t, tenantId, 'evaluator');
		otherEvaluator = await newActor(t, tenantId, 'evaluator');
		decider = await newActor(t, tenantId, 'decision_maker');
		deciderOnTeam = await newActor(t, tenantId, 'decision_maker');
		admin = await newActor(t, tenantId, 'admin');
		orgUser = await newActor(t, tenantId, 'org_admin', o1.id);
		otherOrgUser = await newActor(t, tenantId, 'org_member', o2.id);
		const s = await standard(tenantId);

		// Expires in 3 months; decided a year ago less two weeks, so surveillance is due on 12-15.
		ids.c1 = await certificate(tenantId, o1.id, s.id, {
			expires_on: '2027-03-01',
			decided_on: '2025-12-15'
		});
		ids.c2 = await certificate(tenantId, o2.id, s.id, { suspension_due_by: '2026-12-06' });
		ids.c3 = await certificate(tenantId, o1.id, s.id, {
			status: 'suspended',
			withdrawal_proposed_on: '2026-11-20'
		});

		const team = [{ userId: evaluator.userId, lead: true }];
		// Its surveillance of a year ago less two weeks, report issued: the clock restarted then,
		// so the next surveillance is due on 12-15 either way.
		ids.ev1 = await evaluation(tenantId, o1.id, s.id, {
			status: 'report_issued',
			kind: 'surveillance',
			certificateId: ids.c1,
			team,
			window: ['2025-12-13', '2025-12-15']
		});
		ids.f1 = await finding(tenantId, ids.ev1, evaluator.userId, {
			status: 'response_submitted',
			grade: 'major',
			due_on: '2026-12-10'
		});
		ids.f2 = await finding(tenantId, ids.ev1, evaluator.userId, { status: 'evidence_submitted' });
		ids.f3 = await finding(tenantId, ids.ev1, evaluator.userId, {
			status: 'open',
			due_on: '2026-11-21'
		});
		ids.f4 = await finding(tenantId, ids.ev1, evaluator.userId, {
			status: 'closed',
			follow_up_check_on: '2026-11-30'
		});
		ids.ev2 = await evaluation(tenantId, o1.id, s.id, { status: 'planned', team });
		ids.ev4 = await evaluation(tenantId, o1.id, s.id, { status: 'in_progress', team });
		// Not released: the organisation must not see it, though it is theirs to answer.
		ids.f5 = await finding(tenantId, ids.ev4, evaluator.userId, {
			status: 'open',
			due_on: '2026-11-01'
		});
		// A decision maker who was on this team must not see it as theirs to decide.
		ids.ev3 = await evaluation(tenantId, o2.id, s.id, {
			status: 'report_issued',
			certificateId: ids.c2,
			team: [...team, { userId: deciderOnTeam.userId }]
		});
		ids.ev5 = await evaluation(tenantId, o2.id, s.id, { status: 'planned' });
		// Decided already: no longer waiting.
		const decided = await evaluation(tenantId, o2.id, s.id, {
			status: 'report_issued',
			certificateId: ids.c2
		});
		await t.owner
			.insertInto('decisions')
			.values({
				tenant_id: tenantId,
				evaluation_id: decided,
				certificate_id: ids.c2,
				kind: 'maintain',
				reason: 'ok',
				decided_by: decider.userId,
				decided_on: '2026-11-30'
			})
			.execute();

		for (const [key, status] of [
			['failed', 'failed'],
			['sent', 'sent']
		] as const)
			await t.owner
				.insertInto('outbox')
				.values({
					tenant_id: tenantId,
					dedupe_key: key,
					template: 'finding_raised',
					to_email: 'qm@example.test',
					locale: 'zh-CN',
					subject: `Subject ${key}`,
					text_body: '',
					html_body: '',
					status
				})
				.execute();

		const obligation = await t.owner
			.insertInto('recurring_obligations')
			.values({
				tenant_id: tenantId,
				organisation_id: o1.id,
				title_zh: '工单记录',
				title_en: 'Work orders',
				cadence: 'monthly',
				due_day: 2,
				starts_on: '2026-01-01'
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		for (const [start, end, due, status] of [
			['2026-10-01', '2026-10-31', '2026-11-02', 'accepted'],
			['2026-11-01', '2026-11-30', '2026-12-02', 'pending'],
			['2026-12-01', '2026-12-31', '2027-01-02', 'pending']
		] as const)
			await t.owner
				.insertInto('obligation_due_items')
				.values({
					tenant_id: tenantId,
					obligation_id: obligation.id,
					period_start: start,
					period_end: end,
					due_on: due,
					status
				})
				.execute();

		await arrangeOtherTenant(evaluator.userId);
	}, 120_000);

	afterAll(async () => {
		await t?.drop();
	});

	const countsOf = async (actor: Actor) =>
		Object.fromEntries(
			(await workQueueCounts(t.db, actor, NOW)).flatMap((section) =>
				section.queues.map((q) => [q.queue, q.count])
			)
		) as Record<QueueName, number>;

	const idsOf = async (actor: Actor, queue: QueueName) =>
		(await listWorkQueue(t.db, actor, { queue }, { now: NOW })).rows.map((row) => row.id);

	it("the evaluation team's queues hold what waits for the team, on its evaluations only", async () => {
		expect(await countsOf(evaluator)).toEqual({
			'plans-to-review': 1,
			'evidence-to-verify': 1,
			'follow-ups-due': 1,
			'evaluations-to-start': 1,
			'reports-to-issue': 1,
			escalations: 2
		});
		expect(await idsOf(evaluator, 'plans-to-review')).toEqual([ids.f1]);
		expect(await idsOf(evaluator, 'evidence-to-verify')).toEqual([ids.f2]);
		expect(await idsOf(evaluator, 'follow-ups-due')).toEqual([ids.f4]);
		expect(await idsOf(evaluator, 'evaluations-to-start')).toEqual([ids.ev2]);
		expect(await idsOf(evaluator, 'reports-to-issue')).toEqual([ids.ev4]);
		// More than 7 days overdue, by due date: f5 (11-01) then f3 (11-21).
		expect(await idsOf(evaluator, 'escalations')).toEqual([ids.f5, ids.f3]);
		// Someone on no team has nothing waiting.
		expect(Object.values(await countsOf(otherEvaluator)).every((n) => n === 0)).toBe(true);
	});

	it('a decision maker never sees an evaluation they were on the team of as theirs to decide', async () => {
		expect(await idsOf(deciderOnTeam, 'awaiting-decision')).toEqual([ids.ev1]);
		expect((await countsOf(deciderOnTeam))['awaiting-decision']).toBe(1);
		const others = await idsOf(decider, 'awaiting-decision');
		expect(others.sort()).toEqual([ids.ev1, ids.ev3].sort());
		// The blocking items are listed with the evaluation: the open major and the minor without a plan.
		const page = await listWorkQueue(t.db, decider, { queue: 'awaiting-decision' }, { now: NOW });
		const ev1 = page.rows.find((row) => row.id === ids.ev1)!;
		expect(ev1.blocking!.map((b) => b.id).sort()).toEqual([ids.f1, ids.f3].sort());
		expect(page.rows.find((row) => row.id === ids.ev3)!.blocking).toEqual([]);
		expect(await countsOf(decider)).toEqual({
			'awaiting-decision': 2,
			'suspension-due': 1,
			'withdrawal-proposals': 1
		});
		expect(await idsOf(decider, 'suspension-due')).toEqual([ids.c2]);
		expect(await idsOf(decider, 'withdrawal-proposals')).toEqual([ids.c3]);
	});

	it("the admin's queues: expiring, surveillance due, unassigned, failed deliveries", async () => {
		const counts = await countsOf(admin);
		expect(counts).toMatchObject({
			'expiring-certificates': 1,
			'surveillance-due': 1,
			'unassigned-evaluations': 2,
			'failed-deliveries': 1
		});
		expect(await idsOf(admin, 'expiring-certificates')).toEqual([ids.c1]);
		const surveillance = await listWorkQueue(
			t.db,
			admin,
			{ queue: 'surveillance-due' },
			{ now: NOW }
		);
		expect(surveillance.rows.map((r) => [r.id, r.on, r.daysLeft])).toEqual([
			[ids.c1, '2026-12-15', 14]
		]);
		// ev5 has no team at all; the decided one neither.
		expect(await idsOf(admin, 'unassigned-evaluations')).toHaveLength(2);
		expect(await idsOf(admin, 'unassigned-evaluations')).toContain(ids.ev5);
	});

	it('an organisation sees its own released findings, due items and certificates, with days left', async () => {
		expect(await countsOf(orgUser)).toEqual({
			'to-answer': 1,
			'obligations-due': 1,
			'our-certificates': 2
		});
		const answer = await listWorkQueue(t.db, orgUser, { queue: 'to-answer' }, { now: NOW });
		// f5 is the organisation's and open, but its report is not issued: not shown, not counted.
		expect(answer.rows.map((r) => [r.id, r.on, r.daysLeft])).toEqual([[ids.f3, '2026-11-21', -10]]);
		const certificates = await idsOf(orgUser, 'our-certificates');
		expect(certificates.sort()).toEqual([ids.c1, ids.c3].sort());
		expect(await countsOf(otherOrgUser)).toEqual({
			'to-answer': 0,
			'obligations-due': 0,
			'our-certificates': 1
		});
	});

	it("another body's items are never counted, for a person who works in both", async () => {
		const inB = await countsOf(evaluatorInB);
		expect(inB).toMatchObject({ 'plans-to-review': 1, escalations: 1, 'evaluations-to-start': 0 });
		const inA = await countsOf(evaluator);
		expect(inA['plans-to-review']).toBe(1);
		expect(await idsOf(evaluator, 'plans-to-review')).toEqual([ids.f1]);
		expect((await countsOf(admin))['failed-deliveries']).toBe(1);
	});

	it('every count equals the length of its list, paged by keyset', async () => {
		for (const actor of [evaluator, decider, deciderOnTeam, admin, orgUser, otherOrgUser]) {
			for (const section of await workQueueCounts(t.db, actor, NOW))
				for (const { queue, count } of section.queues) {
					const seen: string[] = [];
					let cursor: string | null = null;
					do {
						const page: Awaited<ReturnType<typeof listWorkQueue>> = await listWorkQueue(
							t.db,
							actor,
							{ queue, cursor },
							{ now: NOW, pageSize: 1 }
						);
						expect(page.total).toBe(count);
						seen.push(...page.rows.map((row) => row.id));
						cursor = page.next;
					} while (cursor);
					expect(new Set(seen).size, `${queue}`).toBe(count);
				}
		}
	});

	it('the tRPC procedures answer from the same service: counts, pages, refusals', async () => {
		const caller = callerFor(testApp(t), deciderOnTeam);
		const sections = await caller.workQueues.counts();
		expect(sections.map((s) => s.section)).toEqual(['decide']);
		const page = await caller.workQueues.list({ queue: 'awaiting-decision' });
		expect(page.rows.map((row) => row.id)).toEqual([ids.ev1]);
		await expect(caller.workQueues.list({ queue: 'to-answer' })).rejects.toMatchObject({
			code: 'FORBIDDEN'
		});
		await expect(caller.workQueues.list({ queue: 'no-such-queue' as never })).rejects.toMatchObject(
			{ code: 'BAD_REQUEST' }
		);
		await expect(
			caller.workQueues.list({ queue: 'awaiting-decision', cursor: 'not-a-cursor' })
		).rejects.toMatchObject({ code: 'BAD_REQUEST' });
	});

	it("a queue of another role's section is refused", async () => {
		await expect(
			listWorkQueue(t.db, orgUser, { queue: 'awaiting-decision' }, { now: NOW })
		).rejects.toBeInstanceOf(Refusal);
		await expect(
			listWorkQueue(t.db, evaluator, { queue: 'to-answer' }, { now: NOW })
		).rejects.toBeInstanceOf(Refusal);
		expect(Object.keys(QUEUE_SECTIONS)).toHaveLength(4);
	});
});
