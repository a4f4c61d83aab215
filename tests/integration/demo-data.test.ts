import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { actorOf } from '../support/factories';
import { isDatabaseEmpty, loadDemoData } from '../../db/seed/demo';
import {
	DEMO_CERTIFICATES,
	DEMO_COMPLAINT,
	OTHER_CERTIFICATE,
	PEOPLE
} from '../../db/seed/demo-data';
import * as demoData from '../../db/seed/demo-data';
import { getServiceSystem } from '../../src/lib/server/services/service-system';
import { listComplaintPage } from '../../src/lib/server/services/complaints';
import { verifyPassword } from '../../src/lib/server/auth/password';
import { verifyAuditChain } from '../../src/lib/server/services/audit';
import { addDays, addMonths, todayInZone } from '../../src/lib/server/domain/calendar';
import { DEFAULT_SCHEME_RULES } from '../../src/lib/server/domain/scheme-rules';
import { gradeProposal } from '../../src/lib/server/services/scoring';

/*
 * The demo loads through the services into an empty database, on PostgreSQL and PGlite: every
 * sign-in of the README's table has its membership, deadlines and expiries are what the scheme
 * rules compute, each body's audit chain verifies, and the reminder jobs find a nonconformity due
 * in seven days and an overdue one.
 */

const PASSWORD = 'demo-password-2026';

describe.each(DIALECTS)('the demo data (%s)', (kind) => {
	let t: TestDatabase;
	// A fixed moment, so the expectations are dates: 2026-12-02 in Asia/Shanghai.
	const loadedAt = new Date('2026-12-02T03:00:00Z');
	const today = todayInZone(loadedAt, 'Asia/Shanghai');
	// References name their evaluation: the year its window opened, its kind and sequence.
	const surveillanceRef = (suffix: string) => `${addDays(today, -16).slice(0, 4)}-S1-${suffix}`;
	const specialRef = (suffix: string) => `${addDays(today, -83).slice(0, 4)}-SP1-${suffix}`;

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		expect(await isDatabaseEmpty(t.owner)).toBe(true);
		await loadDemoData(t.owner, t.db, loadedAt);
	}, 300_000);

	afterAll(async () => {
		await t?.drop();
	});

	const memberships = () =>
		t.owner
			.selectFrom('memberships')
			.innerJoin('users', 'users.id', 'memberships.user_id')
			.innerJoin('tenants', 'tenants.id', 'memberships.tenant_id')
			.leftJoin('organisations', 'organisations.id', 'memberships.organisation_id')
			.select([
				'users.email',
				'tenants.slug',
				'memberships.role',
				'organisations.legal_name as organisation'
			])
			.orderBy('users.email')
			.orderBy('tenants.slug')
			.execute();

	it("holds a visitor's complaint about the five-star certificate, which the body sees (issue 13 item 4)", async () => {
		const demo = await t.owner
			.selectFrom('tenants')
			.select('id')
			.where('slug', '=', 'demo')
			.executeTakeFirstOrThrow();
		const admin = await t.owner
			.selectFrom('users')
			.select('id')
			.where('email', '=', PEOPLE.admin.email)
			.executeTakeFirstOrThrow();
		const page = await listComplaintPage(t.db, await actorOf(t, demo.id, admin.id), {}, loadedAt);
		expect(page.complaints).toHaveLength(1);
		expect(page.complaints[0]).toMatchObject({
			reference: DEMO_COMPLAINT.reference,
			status: 'received',
			certificate_number: DEMO_CERTIFICATES[0]!.number,
			complainant_name: DEMO_COMPLAINT.name,
			clock: { kind: 'due' }
		});
		expect(todayInZone(page.complaints[0]!.received_at, 'Asia/Shanghai')).toBe(addDays(today, -1));
		const receipts = await t.owner
			.selectFrom('outbox')
			.select(['template', 'locale'])
			.where('to_email', '=', DEMO_COMPLAINT.email)
			.execute();
		expect(receipts).toEqual([{ template: 'complaint.received', locale: 'zh-CN' }]);
	});

	it('is loaded only once: the database holds tenants now', async () => {
		expect(await isDatabaseEmpty(t.owner)).toBe(false);
	});

	it("gives each of the README's sign-ins its memberships, with the demo password", async () => {
		expect(await memberships()).toEqual([
			{ email: 'admin@demo.test', slug: 'demo', role: 'admin', organisation: null },
			{ email: 'admin@other.test', slug: 'other', role: 'admin', organisation: null },
			{ email: 'decider@demo.test', slug: 'demo', role: 'decision_maker', organisation: null },
			{ email: 'evaluator@demo.test', slug: 'demo', role: 'evaluator', organisation: null },
			{ email: 'multi@demo.test', slug: 'demo', role: 'evaluator', organisation: null },
			{ email: 'multi@demo.test', slug: 'other', role: 'evaluator', organisation: null },
			{
				email: 'org@demo.test',
				slug: 'demo',
				role: 'org_admin',
				organisation: '厦门立顺捷机电服务有限公司'
			}
		]);
		const users = await t.owner
			.selectFrom('users')
			.select(['email', 'name', 'password_hash'])
			.orderBy('email')
			.execute();
		expect(users.map((u) => [u.email, u.name])).toEqual(
			Object.values(PEOPLE)
				.map((p) => [p.email, p.name])
				.sort(([a], [b]) => a!.localeCompare(b!))
		);
		for (const user of users)
			expect(await verifyPassword(user.password_hash!, PASSWORD)).toBe(true);
		const tenants = await t.owner
			.selectFrom('tenants')
			.select(['slug', 'name', 'default_locale', 'time_zone'])
			.orderBy('slug')
			.execute();
		expect(tenants).toEqual([
			{
				slug: 'demo',
				name: 'Demo Certification Body',
				default_locale: 'zh-CN',
				time_zone: 'Asia/Shanghai'
			},
			{
				slug: 'other',
				name: 'Other Certification Body',
				default_locale: 'en',
				time_zone: 'Asia/Shanghai'
			}
		]);
	});

	it('issues the certificates with the expiry the validity months give', async () => {
		const rows = await t.owner
			.selectFrom('certificates')
			.leftJoin('grade_levels', 'grade_levels.id', 'certificates.grade_level_id')
			.select([
				'certificates.number',
				'certificates.issued_on',
				'certificates.decided_on',
				'certificates.expires_on',
				'certificates.status',
				'grade_levels.code as grade'
			])
			.orderBy('certificates.number')
			.execute();
		const months = DEFAULT_SCHEME_RULES.certificateValidityMonths;
		const expected = [...DEMO_CERTIFICATES, OTHER_CERTIFICATE]
			.map((c) => {
				const issuedOn = addDays(today, c.issuedDay);
				return {
					number: c.number,
					issued_on: issuedOn,
					decided_on: issuedOn,
					expires_on: addDays(addMonths(issuedOn, months), -1),
					status: 'active',
					grade: c.grade ?? null
				};
			})
			.sort((a, b) => a.number.localeCompare(b.number));
		expect(rows).toEqual(expected);
		expect(expected.find((c) => c.number === 'DCB-27922-2025-0001')).toMatchObject({
			issued_on: '2026-01-01',
			expires_on: '2028-12-31'
		});
		const history = await t.owner
			.selectFrom('certificate_history')
			.select(['change', 'to_status'])
			.execute();
		// Typed in, not granted here: each also says it was imported (issue 12 item 1).
		expect(history.filter((line) => line.change === 'issued')).toEqual(
			Array(3).fill({ change: 'issued', to_status: 'active' })
		);
		expect(history.filter((line) => line.change === 'imported')).toEqual(
			Array(3).fill({ change: 'imported', to_status: null })
		);
		expect(history).toHaveLength(6);
		const origins = await t.owner.selectFrom('certificates').select('origin').execute();
		expect(origins).toEqual(Array(3).fill({ origin: 'imported' }));
		// The bodies number their grants by patterns of their own.
		const patterns = await t.owner
			.selectFrom('tenants')
			.select(['slug', 'certificate_number_pattern'])
			.orderBy('slug')
			.execute();
		expect(patterns).toEqual([
			{ slug: 'demo', certificate_number_pattern: 'DCB-{standard}-{year}-{seq:4}' },
			{ slug: 'other', certificate_number_pattern: 'OCB-PM-{year}-{seq:4}' }
		]);
	});

	it('keeps the scheme rules, clause trees and star scale of the catalogue', async () => {
		const rules = await t.owner
			.selectFrom('scheme_rules')
			.select(['major_due_days', 'minor_due_days'])
			.execute();
		expect(rules).toHaveLength(17);
		for (const rule of rules) expect(rule).toEqual({ major_due_days: 30, minor_due_days: 90 });
		const clauses = await t.owner
			.selectFrom('clauses')
			.innerJoin('standards', 'standards.id', 'clauses.standard_id')
			.leftJoin('clauses as parent', 'parent.id', 'clauses.parent_id')
			.select(['clauses.number', 'parent.number as parent'])
			.where('standards.code', '=', 'GB/T 27922-2011')
			.orderBy('clauses.sort_key')
			.execute();
		expect(clauses.map((c) => c.number)).toEqual([
			'4',
			'4.1',
			'4.1.1',
			'4.1.2',
			'4.2',
			'4.2.1',
			'4.2.2',
			'4.3',
			'4.3.1',
			'4.4',
			'4.4.1'
		]);
		expect(clauses.find((c) => c.number === '4.4.1')?.parent).toBe('4.4');
		const levels = await t.owner
			.selectFrom('grade_levels')
			.select(['rank', 'code', 'label_zh', 'min_score'])
			.orderBy('rank')
			.execute();
		expect(levels.map((l) => [l.rank, l.code, l.label_zh, Number(l.min_score)])).toEqual([
			[1, '5-star', '五星', 95],
			[2, '4-star', '四星', 90],
			[3, '3-star', '三星', 80],
			[4, 'pass', '达标', 70]
		]);
	});

	const findings = () =>
		t.owner
			.selectFrom('findings')
			.innerJoin('evaluations', 'evaluations.id', 'findings.evaluation_id')
			.leftJoin('clauses', 'clauses.id', 'findings.clause_id')
			.select([
				'evaluations.kind as evaluation',
				'evaluations.status as evaluationStatus',
				'findings.reference',
				'findings.grade',
				'findings.status',
				'findings.raised_on',
				'findings.due_on',
				'findings.statement',
				'clauses.number as clause'
			])
			.orderBy('evaluations.kind')
			.orderBy('findings.reference')
			.execute();

	it("records the seed's four nonconformities, due when the scheme rules say", async () => {
		const surveillance = (await findings()).filter((f) => f.evaluation === 'surveillance');
		const raisedOn = addDays(today, -15);
		expect(surveillance).toEqual([
			{
				evaluation: 'surveillance',
				evaluationStatus: 'report_issued',
				reference: surveillanceRef('NC-1'),
				grade: 'minor',
				status: 'action_in_progress',
				raised_on: raisedOn,
				due_on: addDays(raisedOn, 90),
				statement: '未进行现场服务后培训讲解。',
				clause: '4.4.1'
			},
			{
				evaluation: 'surveillance',
				evaluationStatus: 'report_issued',
				reference: surveillanceRef('NC-2'),
				grade: 'minor',
				status: 'response_submitted',
				raised_on: raisedOn,
				due_on: addDays(raisedOn, 90),
				statement: '在员工培训方面力度还需要进一步提高。',
				clause: '4.3.1'
			},
			{
				evaluation: 'surveillance',
				evaluationStatus: 'report_issued',
				reference: surveillanceRef('NC-3'),
				grade: 'minor',
				status: 'evidence_submitted',
				raised_on: raisedOn,
				due_on: addDays(raisedOn, 90),
				statement: '没有参加服务标准化工作、国家、行业有关标准的制定工作。',
				clause: '4.2.1'
			},
			{
				evaluation: 'surveillance',
				evaluationStatus: 'report_issued',
				reference: surveillanceRef('NC-4'),
				grade: 'major',
				status: 'response_submitted',
				raised_on: raisedOn,
				due_on: addDays(raisedOn, 30),
				statement: '没有建立服务缺陷公开机制。',
				clause: '4.2.2'
			}
		]);
		const responses = await t.owner
			.selectFrom('responses')
			.innerJoin('findings', 'findings.id', 'responses.finding_id')
			.select([
				'findings.reference',
				'responses.corrective_action',
				'responses.review_status',
				'responses.target_on'
			])
			.orderBy('findings.reference')
			.execute();
		expect(responses).toEqual([
			{
				reference: surveillanceRef('NC-1'),
				corrective_action: '要求服务人员在现场服务后对客户进行产品相关知识的培训讲解。',
				review_status: 'accepted',
				target_on: addDays(raisedOn, 60)
			},
			{
				reference: surveillanceRef('NC-2'),
				corrective_action: '加强对员工培训力度。',
				review_status: 'pending',
				target_on: addDays(raisedOn, 60)
			},
			{
				reference: surveillanceRef('NC-3'),
				corrective_action: '积极参加服务标准化工作、国家、行业有关标准的制定工作。',
				review_status: 'accepted',
				target_on: addDays(raisedOn, 60)
			},
			{
				reference: surveillanceRef('NC-4'),
				corrective_action: '建立服务缺陷公开机制。',
				review_status: 'pending',
				target_on: addDays(raisedOn, 25)
			}
		]);
	});

	it('has an open nonconformity due in seven days and an overdue one, for the reminders', async () => {
		const open = (await findings()).filter((f) => f.status === 'open');
		expect(open.map((f) => [f.evaluation, f.reference, f.grade, f.due_on])).toEqual([
			['special', specialRef('NC-1'), 'major', addDays(today, -53)],
			['special', specialRef('NC-2'), 'minor', addDays(today, 7)]
		]);
		for (const finding of open) {
			expect(finding.evaluationStatus).toBe('report_issued');
			const days = finding.grade === 'major' ? 30 : 90;
			expect(finding.due_on).toBe(addDays(finding.raised_on, days));
		}
		expect(open.filter((f) => f.due_on! < today)).toHaveLength(1);
		expect(open.filter((f) => f.due_on === addDays(today, 7))).toHaveLength(1);
	});

	describe('tells one story, in order (issue 10 §12)', () => {
		const dayOf = (moment: Date) => todayInZone(moment, 'Asia/Shanghai');

		it('starts each evaluation in its window, after its plan, and issues the report after', async () => {
			const evaluations = await t.owner
				.selectFrom('evaluations')
				.selectAll()
				.orderBy('window_start')
				.execute();
			expect(evaluations).toHaveLength(2);
			for (const e of evaluations) {
				expect(e.started_at, e.kind).not.toBeNull();
				expect(dayOf(e.started_at!) >= e.window_start, e.kind).toBe(true);
				expect(dayOf(e.started_at!) <= e.window_end, e.kind).toBe(true);
				expect(e.created_at.getTime()).toBeLessThanOrEqual(e.started_at!.getTime());
				expect(e.started_at!.getTime()).toBeLessThanOrEqual(e.report_issued_at!.getTime());
				expect(e.report_issued_at!.getTime()).toBeLessThanOrEqual(loadedAt.getTime());
			}
			// The special evaluation of September, then the surveillance of November.
			expect(evaluations.map((e) => [e.kind, e.window_start])).toEqual([
				['special', addDays(today, -83)],
				['surveillance', addDays(today, -16)]
			]);
		});

		it('raises findings while the evaluation runs; answers, reviews, evidence and decisions follow the report', async () => {
			const rows = await t.owner
				.selectFrom('findings')
				.innerJoin('evaluations', 'evaluations.id', 'findings.evaluation_id')
				.select([
					'findings.id',
					'findings.reference',
					'findings.created_at',
					'findings.raised_on',
					'evaluations.started_at',
					'evaluations.report_issued_at'
				])
				.execute();
			expect(rows).toHaveLength(6);
			for (const f of rows) {
				expect(dayOf(f.created_at), f.reference).toBe(f.raised_on);
				expect(f.created_at >= f.started_at!, f.reference).toBe(true);
				expect(f.created_at <= f.report_issued_at!, f.reference).toBe(true);
			}
			const reportOf = new Map(rows.map((f) => [f.id, f.report_issued_at!]));
			const responses = await t.owner.selectFrom('responses').selectAll().execute();
			expect(responses).toHaveLength(4);
			for (const r of responses) {
				expect(r.submitted_at >= reportOf.get(r.finding_id)!).toBe(true);
				if (r.reviewed_at) expect(r.reviewed_at >= r.submitted_at).toBe(true);
			}
			const submissions = await t.owner.selectFrom('evidence_submissions').selectAll().execute();
			expect(submissions).toHaveLength(1);
			for (const s of submissions) {
				const plan = responses.find((r) => r.id === s.response_id)!;
				expect(s.submitted_at >= plan.reviewed_at!).toBe(true);
				expect(s.submitted_at <= loadedAt).toBe(true);
			}
			const decisions = await t.owner.selectFrom('decisions').selectAll().execute();
			const lastStep = Math.max(
				...rows.map((f) => f.report_issued_at!.getTime()),
				...responses.map((r) => (r.reviewed_at ?? r.submitted_at).getTime()),
				...submissions.map((s) => s.submitted_at.getTime())
			);
			for (const d of decisions) expect(d.decided_at.getTime()).toBeGreaterThanOrEqual(lastStep);
		});

		it('writes each audit entry at its step, in order, never before what it is about', async () => {
			const entries = await sql<{
				tenant: string;
				seq: string;
				action: string;
				entity_type: string;
				created_at: Date;
				entity_created_at: Date | null;
			}>`
			  select t.slug as tenant, a.seq::text as seq, a.action, a.entity_type, a.created_at,
			    coalesce(u.created_at, m.created_at, i.created_at, o.created_at, c.created_at,
			      s.created_at, ce.created_at, e.created_at, f.created_at) as entity_created_at
			  from audit_log a join tenants t on t.id = a.tenant_id
			    left join users u on a.entity_type = 'user' and u.id::text = a.entity_id
			    left join memberships m on a.entity_type = 'membership' and m.id::text = a.entity_id
			    left join membership_invitations i on a.entity_type = 'membership_invitation' and i.id::text = a.entity_id
			    left join organisations o on a.entity_type = 'organisation' and o.id::text = a.entity_id
			    left join contacts c on a.entity_type = 'contact' and c.id::text = a.entity_id
			    left join standards s on a.entity_type = 'standard' and s.id::text = a.entity_id
			    left join certificates ce on a.entity_type = 'certificate' and ce.id::text = a.entity_id
			    left join evaluations e on a.entity_type = 'evaluation' and e.id::text = a.entity_id
			    left join findings f on a.entity_type = 'finding' and f.id::text = a.entity_id
			  order by t.slug, a.seq`.execute(t.owner);
			const created = entries.rows.filter((row) => row.entity_created_at !== null);
			expect(created.length).toBeGreaterThan(40);
			for (const row of created)
				expect(
					row.created_at >= row.entity_created_at!,
					`${row.tenant} ${row.seq} ${row.action}`
				).toBe(true);
			for (const [index, row] of entries.rows.entries()) {
				expect(row.created_at <= loadedAt, `${row.tenant} ${row.seq}`).toBe(true);
				const before = entries.rows[index - 1];
				if (before?.tenant === row.tenant)
					expect(row.created_at >= before.created_at, `${row.tenant} ${row.seq}`).toBe(true);
			}
			// The set-up a year before, as the certificate issued 335 days ago requires.
			const first = entries.rows.find((row) => row.tenant === 'demo')!;
			expect(dayOf(first.created_at)).toBe(addDays(today, -365));
		});

		it('records the plan, start and report of each evaluation when they happened', async () => {
			const steps = await sql<{
				action: string;
				created_at: Date;
				evaluation_created: Date;
				started_at: Date;
				report_issued_at: Date;
			}>`
			  select a.action, a.created_at, e.created_at as evaluation_created, e.started_at, e.report_issued_at
			  from audit_log a join evaluations e on a.entity_type = 'evaluation' and e.id::text = a.entity_id
			  order by a.seq`.execute(t.owner);
			expect(steps.rows.map((row) => row.action)).toEqual([
				'evaluation.plan',
				'evaluation.start',
				'evaluation.issue_report',
				'evaluation.plan',
				'evaluation.start',
				// The surveillance team's scores, one per clause group, while it runs.
				'evaluation.score',
				'evaluation.score',
				'evaluation.score',
				'evaluation.score',
				'evaluation.issue_report'
			]);
			for (const row of steps.rows) {
				if (row.action === 'evaluation.score') {
					expect(row.created_at.getTime()).toBeGreaterThan(row.started_at.getTime());
					expect(row.created_at.getTime()).toBeLessThan(row.report_issued_at.getTime());
					continue;
				}
				const expected = {
					'evaluation.plan': row.evaluation_created,
					'evaluation.start': row.started_at,
					'evaluation.issue_report': row.report_issued_at
				}[row.action]!;
				expect(row.created_at.getTime(), row.action).toBe(expected.getTime());
			}
		});
	});

	it('scores the surveillance on GB/T 27922’s sheet: 95, capped at four stars by its major', async () => {
		const tenant = await t.owner
			.selectFrom('tenants')
			.select('id')
			.where('slug', '=', 'demo')
			.executeTakeFirstOrThrow();
		const decider = await t.owner
			.selectFrom('users')
			.select('id')
			.where('email', '=', PEOPLE.decider.email)
			.executeTakeFirstOrThrow();
		const sheet = await t.owner
			.selectFrom('clauses')
			.innerJoin('standards', 'standards.id', 'clauses.standard_id')
			.select(['clauses.number', 'clauses.score_points'])
			.where('standards.code', '=', 'GB/T 27922-2011')
			.where('clauses.score_points', 'is not', null)
			.orderBy('clauses.sort_key')
			.execute();
		expect(sheet.map((row) => [row.number, row.score_points])).toEqual([
			['4.1', 20],
			['4.2', 30],
			['4.3', 20],
			['4.4', 30]
		]);
		const surveillance = await t.owner
			.selectFrom('evaluations')
			.select('id')
			.where('tenant_id', '=', tenant.id)
			.where('kind', '=', 'surveillance')
			.executeTakeFirstOrThrow();
		const proposal = await gradeProposal(
			t.db,
			await actorOf(t, tenant.id, decider.id),
			surveillance.id
		);
		const code = (id: string | null | undefined) =>
			proposal?.levels.find((level) => level.id === id)?.code ?? null;
		expect(proposal).toMatchObject({ total: 95, complete: true });
		expect(code(proposal?.scoredLevelId)).toBe('5-star');
		expect(code(proposal?.computedLevelId)).toBe('4-star');
		expect(proposal?.cappedBy?.references).toEqual([surveillanceRef('NC-4')]);
		expect(code(proposal?.currentLevelId)).toBe('5-star');
		expect(proposal?.proposal.kind).toBe('regrade');
	});

	it('audits every change, and each body’s chain verifies', async () => {
		for (const [slug, email] of [
			['demo', 'admin@demo.test'],
			['other', 'admin@other.test']
		] as const) {
			const tenant = await t.owner
				.selectFrom('tenants')
				.select('id')
				.where('slug', '=', slug)
				.executeTakeFirstOrThrow();
			const user = await t.owner
				.selectFrom('users')
				.select('id')
				.where('email', '=', email)
				.executeTakeFirstOrThrow();
			const admin = await actorOf(t, tenant.id, user.id);
			const verification = await verifyAuditChain(t.db, admin);
			expect(verification.ok, slug).toBe(true);
		}
		const actions = await sql<{ action: string; n: number }>`
		  select action, count(*)::int as n from audit_log a join tenants t on t.id = a.tenant_id
		  where t.slug = 'demo' group by action order by action`.execute(t.owner);
		expect(Object.fromEntries(actions.rows.map((r) => [r.action, r.n]))).toEqual({
			'certificate.create': 2,
			'clause.create': 22,
			'complaint.file': 1,
			'contact.create': 1,
			'evaluation.issue_report': 2,
			'evaluation.plan': 2,
			'evaluation.score': 4,
			'evaluation.start': 2,
			'finding.accept_response': 2,
			'finding.raise': 6,
			'finding.submit_evidence': 1,
			'finding.submit_response': 4,
			'grade_scale.create': 1,
			'membership.grant': 5,
			'membership.invite': 4,
			'organisation.create': 2,
			'person.create': 5,
			'scheme_rules.update': 16,
			// The organisation's service system (issue 12 item 5): 9 + 9 + 3 measurements.
			'service_commitment.create': 5,
			'service_measurement.record': 21,
			'service_objective.approve': 4,
			'service_objective.create': 4,
			'service_outlet.create': 3,
			'standard.create': 16,
			'standard.scoring_update': 1
		});
	});

	it("gives the demo organisation the seed's service system, evaluable by the body", async () => {
		const organisation = await t.owner
			.selectFrom('organisations')
			.select(['id', 'tenant_id'])
			.where('legal_name', '=', demoData.LISHUNJIE)
			.executeTakeFirstOrThrow();
		const user = await t.owner
			.selectFrom('users')
			.select('id')
			.where('email', '=', demoData.PEOPLE.evaluator.email)
			.executeTakeFirstOrThrow();
		const evaluator = await actorOf(t, organisation.tenant_id, user.id);
		const system = await getServiceSystem(
			t.db,
			evaluator,
			{ organisationId: organisation.id },
			loadedAt
		);
		expect(system.commitments.map((c) => [c.kind, c.limitValue, c.limitUnit])).toEqual([
			['service_commitment', null, null],
			['service_commitment', 24, 'hours'],
			['work_order_rule', 4, 'hours'],
			['work_order_rule', null, null],
			['work_order_rule', null, null]
		]);
		expect(system.commitments.some((c) => c.textZh.includes('4 小时内上报'))).toBe(true);
		// Every objective approved by the organisation's management (its admin).
		expect(system.objectives.map((o) => [o.titleZh, o.approvedByName])).toEqual(
			demoData.SERVICE_SYSTEM.objectives.map((o) => [o.titleZh, demoData.PEOPLE.org.name])
		);
		const satisfaction = system.objectives[0]!;
		expect(satisfaction.measurements).toHaveLength(9);
		expect(satisfaction.history.filter((m) => !m.met).map((m) => m.value)).toEqual([94.3, 93.8]);
		// Whole, distinct months, the last one the month before the load day's.
		const starts = satisfaction.history.map((m) => m.periodStart);
		expect(new Set(starts).size).toBe(9);
		expect(starts.every((start) => start.endsWith('-01'))).toBe(true);
		expect(starts.at(-1)).toBe(addMonths(`${today.slice(0, 7)}-01`, -1));
		expect(system.outlets.map((o) => [o.name, o.scope, o.publiclyListed])).toEqual(
			demoData.SERVICE_SYSTEM.outlets.map((o) => [o.name, [...o.scope], o.publiclyListed])
		);
		// The special evaluation's major nonconformity is raised against the 24-hour commitment.
		const against = await t.owner
			.selectFrom('findings')
			.innerJoin('service_commitments', 'service_commitments.id', 'findings.commitment_id')
			.select(['findings.grade', 'service_commitments.limit_value'])
			.execute();
		expect(against.map((f) => [f.grade, Number(f.limit_value)])).toEqual([['major', 24]]);
		expect(system.may).toEqual({ manage: false, approve: false, measure: false });
	});
});
