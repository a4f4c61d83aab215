import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { callerFor, newActor, newOrganisation, newTenant, testApp } from '../support/factories';
import {
	auditActions,
	auditCount,
	newCertificate,
	newStandard,
	setSchemeRules
} from '../support/evaluations-factories';
import { handleTrpcRequest } from '../../src/lib/server/trpc/handler';
import { addDays, addMonths, todayInZone } from '../../src/lib/server/domain/calendar';
import type { Actor } from '../../src/lib/server/actor';
import type { App } from '../../src/lib/server/app';
import type { Locale } from '../../db/schema';
import en from '../../messages/en.json';
import enEvaluations from '../../messages/evaluations/en.json';
import zhEvaluations from '../../messages/evaluations/zh-CN.json';

/*
 * Evaluations through the tRPC API against a real database: planning with a team, the steps
 * start → issue report → close, recording findings with due dates from the scheme rules, due-date
 * changes with their reason, and every refusal (role, team, tenant, state, version, input).
 */

type Standard = Awaited<ReturnType<typeof newStandard>>;

describe.each(DIALECTS)('evaluations (%s)', (kind) => {
	let t: TestDatabase;
	let app: App;
	let tenantId: string;
	let otherTenantId: string;
	let organisationId: string;
	let standard: Standard;
	let otherStandard: Standard;
	let certificateId: string;
	let admin: Actor;
	let lead: Actor;
	let member: Actor;
	let outsider: Actor;
	let decider: Actor;
	let orgUser: Actor;
	let otherAdmin: Actor;

	/** A mutation through the HTTP handler, to read the translated message and field errors. */
	async function post(path: string, input: unknown, actor: Actor, locale: Locale = 'en') {
		const response = await handleTrpcRequest(
			new Request(`http://localhost/api/trpc/${path}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', origin: 'http://localhost' },
				body: JSON.stringify({ json: input })
			}),
			{
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
			}
		);
		return {
			status: response.status,
			// eslint-disable-next-line @typescript-eslint/no-explicit-any
			body: (await response.json()) as any
		};
	}

	const today = () => todayInZone(new Date(), 'Asia/Shanghai');

	function surveillancePlan(overrides: Record<string, unknown> = {}) {
		return {
			kind: 'surveillance' as const,
			certificateId,
			windowStart: '2026-12-01',
			windowEnd: '2026-12-03',
			teamIds: [lead.userId, member.userId],
			leadId: lead.userId,
			...overrides
		};
	}

	/** A surveillance evaluation planned by the lead, moved on through `steps`. */
	async function evaluationAt(status: 'planned' | 'in_progress' | 'report_issued' | 'closed') {
		const caller = callerFor(app, lead);
		let evaluation = await caller.evaluations.plan(surveillancePlan());
		if (status === 'planned') return evaluation;
		evaluation = await caller.evaluations.start({ id: evaluation.id, version: evaluation.version });
		if (status === 'in_progress') return evaluation;
		evaluation = await caller.evaluations.issueReport({
			id: evaluation.id,
			version: evaluation.version
		});
		if (status === 'report_issued') return evaluation;
		return caller.evaluations.close({ id: evaluation.id, version: evaluation.version });
	}

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		app = testApp(t);
		tenantId = (await newTenant(t)).id;
		otherTenantId = (await newTenant(t)).id;
		organisationId = (await newOrganisation(t, tenantId, '厦门立顺捷机电服务有限公司')).id;
		standard = await newStandard(t, tenantId, ['4.1', '4.2', '10.1']);
		otherStandard = await newStandard(t, tenantId, ['9.9']);
		certificateId = (
			await newCertificate(t, tenantId, organisationId, standard.id, {
				issuedOn: '2026-01-10',
				decidedOn: '2026-01-05'
			})
		).id;
		admin = await newActor(t, tenantId, 'admin');
		lead = await newActor(t, tenantId, 'evaluator');
		member = await newActor(t, tenantId, 'evaluator');
		outsider = await newActor(t, tenantId, 'evaluator');
		decider = await newActor(t, tenantId, 'decision_maker');
		orgUser = await newActor(t, tenantId, 'org_admin', organisationId);
		otherAdmin = await newActor(t, otherTenantId, 'admin');
	});

	afterAll(async () => {
		await t?.drop();
	});

	describe('planning', () => {
		it('plans a surveillance evaluation of a certificate, with its team, and audits it', async () => {
			const evaluation = await callerFor(app, lead).evaluations.plan(surveillancePlan());
			expect(evaluation).toMatchObject({
				kind: 'surveillance',
				status: 'planned',
				certificate_id: certificateId,
				organisation_id: organisationId,
				standard_id: standard.id,
				window_start: '2026-12-01',
				window_end: '2026-12-03',
				version: 1
			});
			const detail = await callerFor(app, admin).evaluations.get({ id: evaluation.id });
			expect(detail.team.map((m) => [m.user_id, m.team_role])).toEqual([
				[lead.userId, 'lead'],
				[member.userId, 'member']
			]);
			expect(await auditActions(t, evaluation.id)).toEqual(['evaluation.plan']);
			const listed = (await callerFor(app, decider).evaluations.list({ status: 'planned' })).rows;
			expect(listed.map((e) => e.id)).toContain(evaluation.id);
		});

		it('plans an initial evaluation from an organisation and a standard', async () => {
			const evaluation = await callerFor(app, admin).evaluations.plan({
				kind: 'initial',
				organisationId,
				standardId: otherStandard.id,
				windowStart: '2026-12-10',
				windowEnd: '2026-12-10',
				teamIds: [member.userId],
				leadId: member.userId
			});
			expect(evaluation).toMatchObject({
				kind: 'initial',
				certificate_id: null,
				standard_id: otherStandard.id
			});
			expect(await auditActions(t, evaluation.id)).toEqual(['evaluation.plan']);
		});

		it('refuses bad plans on the field concerned, writing nothing', async () => {
			const before = await auditCount(t, tenantId);
			const cases: [Record<string, unknown>, string, string][] = [
				[
					{ windowStart: '2026-12-05', windowEnd: '2026-12-01' },
					'windowEnd',
					enEvaluations.evaluations_error_window_order
				],
				[
					{ windowStart: '2026-02-30' },
					'windowStart',
					enEvaluations.evaluations_error_date_invalid
				],
				[{ leadId: outsider.userId }, 'leadId', enEvaluations.evaluations_error_lead_not_on_team],
				[
					{ teamIds: [lead.userId, orgUser.userId] },
					'teamIds',
					enEvaluations.evaluations_error_team_member_invalid
				],
				[
					{ certificateId: null },
					'certificateId',
					enEvaluations.evaluations_error_certificate_required
				],
				[
					{ kind: 'initial', certificateId: null },
					'organisationId',
					enEvaluations.evaluations_error_organisation_required
				]
			];
			for (const [overrides, field, message] of cases) {
				const { status, body } = await post('evaluations.plan', surveillancePlan(overrides), lead);
				expect(status, field).toBe(400);
				expect(body.error.json.data.fields, field).toEqual({ [field]: message });
			}
			const chinese = await post(
				'evaluations.plan',
				surveillancePlan({ leadId: outsider.userId }),
				lead,
				'zh-CN'
			);
			expect(chinese.body.error.json.data.fields).toEqual({
				leadId: zhEvaluations.evaluations_error_lead_not_on_team
			});
			expect(await auditCount(t, tenantId)).toBe(before);
		});

		it('is only for administrators and evaluators', async () => {
			for (const actor of [decider, orgUser])
				await expect(
					callerFor(app, actor).evaluations.plan(surveillancePlan())
				).rejects.toMatchObject({ code: 'FORBIDDEN' });
			await expect(callerFor(app, orgUser).evaluations.list()).rejects.toMatchObject({
				code: 'FORBIDDEN'
			});
		});

		it('changes the window and team while planned, with the version, and audits it', async () => {
			const planned = await evaluationAt('planned');
			const caller = callerFor(app, lead);
			const changed = await caller.evaluations.updatePlan({
				id: planned.id,
				version: planned.version,
				windowStart: '2026-12-02',
				windowEnd: '2026-12-04',
				teamIds: [lead.userId, outsider.userId],
				leadId: outsider.userId
			});
			expect(changed).toMatchObject({ window_start: '2026-12-02', version: 2 });
			const detail = await caller.evaluations.get({ id: planned.id });
			expect(detail.team.find((m) => m.team_role === 'lead')?.user_id).toBe(outsider.userId);
			expect(await auditActions(t, planned.id)).toEqual(['evaluation.plan', 'evaluation.update']);

			// The same edit again from the old version: someone else saved first.
			await expect(
				caller.evaluations.updatePlan({
					id: planned.id,
					version: planned.version,
					windowStart: '2026-12-03',
					windowEnd: '2026-12-04',
					teamIds: [lead.userId],
					leadId: lead.userId
				})
			).rejects.toMatchObject({ code: 'CONFLICT', message: 'error_stale_version' });

			// Member (not lead) of another team cannot edit this plan.
			await expect(
				callerFor(app, member).evaluations.updatePlan({
					id: planned.id,
					version: 2,
					windowStart: '2026-12-03',
					windowEnd: '2026-12-04',
					teamIds: [member.userId],
					leadId: member.userId
				})
			).rejects.toMatchObject({ code: 'FORBIDDEN', message: 'evaluations_error_not_on_team' });

			const started = await caller.evaluations.start({ id: planned.id, version: 2 });
			await expect(
				caller.evaluations.updatePlan({
					id: planned.id,
					version: started.version,
					windowStart: '2026-12-03',
					windowEnd: '2026-12-04',
					teamIds: [lead.userId],
					leadId: lead.userId
				})
			).rejects.toMatchObject({ code: 'CONFLICT', message: 'evaluations_error_plan_not_editable' });
		});
	});

	describe('steps', () => {
		it('starts, issues the report and closes, stamping and auditing each step', async () => {
			const caller = callerFor(app, lead);
			const planned = await caller.evaluations.plan(surveillancePlan());
			const started = await caller.evaluations.start({ id: planned.id, version: 1 });
			expect(started).toMatchObject({ status: 'in_progress', version: 2 });
			expect(started.started_at).toBeInstanceOf(Date);
			const issued = await callerFor(app, member).evaluations.issueReport({
				id: planned.id,
				version: 2
			});
			expect(issued).toMatchObject({ status: 'report_issued', version: 3 });
			expect(issued.report_issued_at).toBeInstanceOf(Date);
			// An administrator runs any evaluation, on the team or not.
			const closed = await callerFor(app, admin).evaluations.close({ id: planned.id, version: 3 });
			expect(closed).toMatchObject({ status: 'closed', version: 4 });
			expect(closed.closed_at).toBeInstanceOf(Date);
			expect(await auditActions(t, planned.id)).toEqual([
				'evaluation.plan',
				'evaluation.start',
				'evaluation.issue_report',
				'evaluation.close'
			]);
			const detail = await caller.evaluations.get({ id: planned.id });
			expect(detail.steps).toEqual([]);
			expect(detail.evaluation.status).toBe('closed');
		});

		it('refuses an evaluator who is not on the team, with a message', async () => {
			const planned = await evaluationAt('planned');
			await expect(
				callerFor(app, outsider).evaluations.start({ id: planned.id, version: 1 })
			).rejects.toMatchObject({ code: 'FORBIDDEN', message: 'evaluations_error_not_on_team' });
			const { status, body } = await post(
				'evaluations.start',
				{ id: planned.id, version: 1 },
				outsider
			);
			expect(status).toBe(403);
			expect(body.error.json.message).toBe(enEvaluations.evaluations_error_not_on_team);
			const detail = await callerFor(app, outsider).evaluations.get({ id: planned.id });
			expect(detail.steps).toEqual([]);
			expect(await auditActions(t, planned.id)).toEqual(['evaluation.plan']);
		});

		it('refuses decision makers and organisation users', async () => {
			const planned = await evaluationAt('planned');
			for (const actor of [decider, orgUser])
				await expect(
					callerFor(app, actor).evaluations.start({ id: planned.id, version: 1 })
				).rejects.toMatchObject({ code: 'FORBIDDEN' });
			await expect(
				callerFor(app, orgUser).evaluations.get({ id: planned.id })
			).rejects.toMatchObject({ code: 'FORBIDDEN' });
			expect(await auditActions(t, planned.id)).toEqual(['evaluation.plan']);
		});

		it('refuses a step the status does not allow, saying why', async () => {
			const planned = await evaluationAt('planned');
			const { status, body } = await post(
				'evaluations.close',
				{ id: planned.id, version: 1 },
				lead
			);
			expect(status).toBe(409);
			expect(body.error.json.message).toBe(enEvaluations.evaluations_error_close_wrong_status);
			await expect(
				callerFor(app, lead).evaluations.issueReport({ id: planned.id, version: 1 })
			).rejects.toMatchObject({
				code: 'CONFLICT',
				message: 'evaluations_error_issue_report_wrong_status'
			});
			expect(await auditActions(t, planned.id)).toEqual(['evaluation.plan']);
		});

		it('refuses a stale version', async () => {
			const planned = await evaluationAt('planned');
			await callerFor(app, lead).evaluations.start({ id: planned.id, version: 1 });
			const { status, body } = await post(
				'evaluations.start',
				{ id: planned.id, version: 1 },
				member
			);
			expect(status).toBe(409);
			expect(body.error.json.message).toBe(en.error_stale_version);
		});

		it("answers NOT_FOUND for another tenant's evaluation", async () => {
			const planned = await evaluationAt('planned');
			const other = callerFor(app, otherAdmin);
			await expect(other.evaluations.get({ id: planned.id })).rejects.toMatchObject({
				code: 'NOT_FOUND'
			});
			await expect(other.evaluations.start({ id: planned.id, version: 1 })).rejects.toMatchObject({
				code: 'NOT_FOUND'
			});
			await expect(
				other.findings.raise({
					evaluationId: planned.id,
					kind: 'observation',
					statement: 'x'
				})
			).rejects.toMatchObject({ code: 'NOT_FOUND' });
			expect((await other.evaluations.list()).rows).toEqual([]);
			expect(await auditActions(t, planned.id)).toEqual(['evaluation.plan']);
		});

		it('shows when the next surveillance falls due, from the scheme rules', async () => {
			const certificate = await newCertificate(t, tenantId, organisationId, otherStandard.id, {
				issuedOn: '2026-03-20',
				decidedOn: '2026-03-15'
			});
			const caller = callerFor(app, lead);
			const planned = await caller.evaluations.plan(
				surveillancePlan({
					certificateId: certificate.id,
					windowStart: '2027-02-01',
					windowEnd: '2027-02-03'
				})
			);
			// No surveillance yet: first one 12 months after the decision (the default rule).
			expect((await caller.evaluations.get({ id: planned.id })).nextSurveillance).toBe(
				'2027-03-15'
			);
			await setSchemeRules(t, tenantId, otherStandard.id, { max_surveillance_gap_months: 10 });
			await caller.evaluations.start({ id: planned.id, version: 1 });
			await caller.evaluations.issueReport({ id: planned.id, version: 2 });
			// This surveillance's report is out: the next is due the longest gap after it.
			expect((await caller.evaluations.get({ id: planned.id })).nextSurveillance).toBe(
				addMonths('2027-02-03', 10)
			);
		});
	});

	describe('findings', () => {
		it('are refused before the evaluation starts and after its report, with a message', async () => {
			const finding = { kind: 'observation' as const, statement: '现场发现' };
			for (const status of ['planned', 'report_issued', 'closed'] as const) {
				const evaluation = await evaluationAt(status);
				const { status: code, body } = await post(
					'findings.raise',
					{ evaluationId: evaluation.id, ...finding },
					lead
				);
				expect(code, status).toBe(409);
				expect(body.error.json.message).toBe(enEvaluations.evaluations_error_not_recording);
				const chinese = await post(
					'findings.raise',
					{ evaluationId: evaluation.id, ...finding },
					lead,
					'zh-CN'
				);
				expect(chinese.body.error.json.message).toBe(zhEvaluations.evaluations_error_not_recording);
			}
		});

		it('are numbered per kind after their evaluation’s reference, raised today with the due date of the rules', async () => {
			const evaluation = await evaluationAt('in_progress');
			const caller = callerFor(app, member);
			const clause = standard.clauses[1]!;
			const major = await caller.findings.raise({
				evaluationId: evaluation.id,
				kind: 'nonconformity',
				grade: 'major',
				clauseId: clause.id,
				statement: '未按规定保存派工单记录',
				objectiveEvidence: '抽查 12 份工单，3 份无客户签字'
			});
			// The first finding gives the evaluation its reference: a surveillance of 2026 (its window).
			const { evaluation: numbered } = await caller.evaluations.get({ id: evaluation.id });
			expect(numbered.reference).toMatch(/^2026-S\d+$/);
			const ref = (suffix: string) => `${numbered.reference}-${suffix}`;
			expect(major).toMatchObject({
				reference: ref('NC-1'),
				grade: 'major',
				clause_id: clause.id,
				raised_by: member.userId,
				raised_on: today(),
				due_on: addDays(today(), 30),
				status: 'open'
			});
			const minor = await caller.findings.raise({
				evaluationId: evaluation.id,
				kind: 'nonconformity',
				grade: 'minor',
				statement: 'Complaint records incomplete'
			});
			expect(minor).toMatchObject({ reference: ref('NC-2'), due_on: addDays(today(), 90) });
			const observation = await caller.findings.raise({
				evaluationId: evaluation.id,
				kind: 'observation',
				statement: 'Training plan not yet approved'
			});
			expect(observation).toMatchObject({ reference: ref('OBS-1'), grade: null, due_on: null });
			const opportunity = await callerFor(app, admin).findings.raise({
				evaluationId: evaluation.id,
				kind: 'opportunity',
				statement: 'Consider an online satisfaction survey'
			});
			expect(opportunity.reference).toBe(ref('OFI-1'));
			for (const finding of [major, minor, observation, opportunity])
				expect(await auditActions(t, finding.id)).toEqual(['finding.raise']);

			const detail = await caller.evaluations.get({ id: evaluation.id });
			expect(detail.findings.map((f) => f.reference)).toEqual(
				['NC-1', 'NC-2', 'OBS-1', 'OFI-1'].map(ref)
			);
			expect(detail.openFindings).toBe(4);
			expect(detail.mayRecordFindings).toBe(true);
			expect(detail.clauses.map((c) => c.number)).toEqual(['4.1', '4.2', '10.1']);
		});

		it('take their due date from the standard’s scheme rules', async () => {
			const evaluation = await evaluationAt('in_progress');
			await setSchemeRules(t, tenantId, standard.id, { minor_due_days: 45, major_due_days: 14 });
			try {
				const caller = callerFor(app, lead);
				const minor = await caller.findings.raise({
					evaluationId: evaluation.id,
					kind: 'nonconformity',
					grade: 'minor',
					statement: 'Minor'
				});
				expect(minor.due_on).toBe(addDays(today(), 45));
				const major = await caller.findings.raise({
					evaluationId: evaluation.id,
					kind: 'nonconformity',
					grade: 'major',
					statement: 'Major'
				});
				expect(major.due_on).toBe(addDays(today(), 14));
				const detail = await caller.evaluations.get({ id: evaluation.id });
				expect(detail.dueDates).toEqual({
					major: { on: addDays(today(), 14), days: 14 },
					minor: { on: addDays(today(), 45), days: 45 }
				});
			} finally {
				await setSchemeRules(t, tenantId, standard.id, { minor_due_days: 90, major_due_days: 30 });
			}
		});

		it('need a grade for a nonconformity and none otherwise, on the grade field', async () => {
			const evaluation = await evaluationAt('in_progress');
			const before = await auditCount(t, tenantId);
			const missing = await post(
				'findings.raise',
				{ evaluationId: evaluation.id, kind: 'nonconformity', statement: 'No grade' },
				lead
			);
			expect(missing.status).toBe(400);
			expect(missing.body.error.json.data.fields).toEqual({
				grade: enEvaluations.evaluations_error_grade_required
			});
			const extra = await post(
				'findings.raise',
				{ evaluationId: evaluation.id, kind: 'observation', grade: 'minor', statement: 'Graded' },
				lead,
				'zh-CN'
			);
			expect(extra.body.error.json.data.fields).toEqual({
				grade: zhEvaluations.evaluations_error_grade_not_allowed
			});
			const noStatement = await post(
				'findings.raise',
				{ evaluationId: evaluation.id, kind: 'observation', statement: '  ' },
				lead
			);
			expect(noStatement.body.error.json.data.fields).toEqual({ statement: en.error_required });
			const foreignClause = await post(
				'findings.raise',
				{
					evaluationId: evaluation.id,
					kind: 'observation',
					statement: 'Wrong clause',
					clauseId: otherStandard.clauses[0]!.id
				},
				lead
			);
			expect(foreignClause.body.error.json.data.fields).toEqual({
				clauseId: enEvaluations.evaluations_error_clause_unknown
			});
			expect(await auditCount(t, tenantId)).toBe(before);
		});

		it('are recorded only by the team (or an administrator)', async () => {
			const evaluation = await evaluationAt('in_progress');
			const finding = { evaluationId: evaluation.id, kind: 'observation' as const, statement: 'x' };
			await expect(callerFor(app, outsider).findings.raise(finding)).rejects.toMatchObject({
				code: 'FORBIDDEN',
				message: 'evaluations_error_not_on_team'
			});
			for (const actor of [decider, orgUser])
				await expect(callerFor(app, actor).findings.raise(finding)).rejects.toMatchObject({
					code: 'FORBIDDEN'
				});
		});

		it('are edited while the evaluation is in progress, with the version', async () => {
			const evaluation = await evaluationAt('in_progress');
			const caller = callerFor(app, lead);
			const finding = await caller.findings.raise({
				evaluationId: evaluation.id,
				kind: 'nonconformity',
				grade: 'minor',
				statement: 'Draft'
			});
			const updated = await caller.findings.update({
				id: finding.id,
				version: 1,
				statement: '投诉处理记录不完整',
				objectiveEvidence: 'Sampled 10 complaints',
				clauseId: standard.clauses[0]!.id
			});
			expect(updated).toMatchObject({
				statement: '投诉处理记录不完整',
				clause_id: standard.clauses[0]!.id,
				version: 2
			});
			await expect(
				caller.findings.update({ id: finding.id, version: 1, statement: 'Again', clauseId: null })
			).rejects.toMatchObject({ code: 'CONFLICT', message: 'error_stale_version' });
			await caller.evaluations.issueReport({ id: evaluation.id, version: evaluation.version });
			await expect(
				caller.findings.update({ id: finding.id, version: 2, statement: 'Late', clauseId: null })
			).rejects.toMatchObject({ code: 'CONFLICT', message: 'evaluations_error_not_recording' });
			expect(await auditActions(t, finding.id)).toEqual(['finding.raise', 'finding.update']);
		});

		it('change due date only with a reason, recorded with the change and audited', async () => {
			const evaluation = await evaluationAt('in_progress');
			const caller = callerFor(app, lead);
			const finding = await caller.findings.raise({
				evaluationId: evaluation.id,
				kind: 'nonconformity',
				grade: 'major',
				statement: 'Major'
			});
			const noReason = await post(
				'findings.changeDue',
				{ id: finding.id, version: 1, dueOn: addDays(today(), 60), reason: ' ' },
				lead
			);
			expect(noReason.status).toBe(400);
			expect(noReason.body.error.json.data.fields).toEqual({
				reason: enEvaluations.evaluations_error_reason_required
			});
			const badDate = await post(
				'findings.changeDue',
				{ id: finding.id, version: 1, dueOn: '2026-13-01', reason: 'Spare parts delayed' },
				lead
			);
			expect(badDate.body.error.json.data.fields).toEqual({
				dueOn: enEvaluations.evaluations_error_date_invalid
			});
			expect(await auditActions(t, finding.id)).toEqual(['finding.raise']);

			const newDue = addDays(today(), 60);
			// Moving a deadline is the team's (or an administrator's) call, like recording.
			await expect(
				callerFor(app, outsider).findings.changeDue({
					id: finding.id,
					version: 1,
					dueOn: newDue,
					reason: 'Not on the team'
				})
			).rejects.toMatchObject({ code: 'FORBIDDEN', message: 'evaluations_error_not_on_team' });
			const changed = await callerFor(app, lead).findings.changeDue({
				id: finding.id,
				version: 1,
				dueOn: newDue,
				reason: '备件进口延误，经评价组长同意延期'
			});
			expect(changed).toMatchObject({ due_on: newDue, version: 2 });
			const changes = await t.owner
				.selectFrom('finding_due_changes')
				.selectAll()
				.where('finding_id', '=', finding.id)
				.execute();
			expect(changes).toHaveLength(1);
			expect(changes[0]).toMatchObject({
				from_due_on: addDays(today(), 30),
				to_due_on: newDue,
				reason: '备件进口延误，经评价组长同意延期',
				changed_by: lead.userId
			});
			expect(await auditActions(t, finding.id)).toEqual(['finding.raise', 'finding.due_change']);

			await expect(
				caller.findings.changeDue({
					id: finding.id,
					version: 1,
					dueOn: addDays(today(), 70),
					reason: 'Stale'
				})
			).rejects.toMatchObject({ code: 'CONFLICT', message: 'error_stale_version' });
			await expect(
				callerFor(app, decider).findings.changeDue({
					id: finding.id,
					version: 2,
					dueOn: addDays(today(), 70),
					reason: 'Decider'
				})
			).rejects.toMatchObject({ code: 'FORBIDDEN' });
			await expect(
				callerFor(app, otherAdmin).findings.changeDue({
					id: finding.id,
					version: 2,
					dueOn: addDays(today(), 70),
					reason: 'Other body'
				})
			).rejects.toMatchObject({ code: 'NOT_FOUND' });

			const observation = await caller.findings.raise({
				evaluationId: evaluation.id,
				kind: 'observation',
				statement: 'Observation'
			});
			await expect(
				caller.findings.changeDue({
					id: observation.id,
					version: 1,
					dueOn: newDue,
					reason: 'No due date'
				})
			).rejects.toMatchObject({
				code: 'CONFLICT',
				message: 'evaluations_error_due_only_nonconformity'
			});

			await t.owner
				.updateTable('findings')
				.set({ status: 'closed' })
				.where('id', '=', finding.id)
				.execute();
			await expect(
				caller.findings.changeDue({
					id: finding.id,
					version: 2,
					dueOn: addDays(today(), 80),
					reason: 'Closed already'
				})
			).rejects.toMatchObject({
				code: 'CONFLICT',
				message: 'evaluations_error_due_finding_closed'
			});
			expect(await auditActions(t, finding.id)).toEqual(['finding.raise', 'finding.due_change']);
		});

		it('become visible to the organisation once the report is issued', async () => {
			const evaluation = await evaluationAt('in_progress');
			const finding = await callerFor(app, lead).findings.raise({
				evaluationId: evaluation.id,
				kind: 'nonconformity',
				grade: 'minor',
				statement: 'Visible later'
			});
			const { loadVisibleFinding } = await import('../../src/lib/server/services/finding-access');
			const visible = () =>
				t.db.inTenant({ tenantId, userId: orgUser.userId }, (tx) =>
					loadVisibleFinding(tx, orgUser, finding.id)
				);
			await expect(visible()).rejects.toMatchObject({ kind: 'NOT_FOUND' });
			await callerFor(app, lead).evaluations.issueReport({
				id: evaluation.id,
				version: evaluation.version
			});
			await expect(visible()).resolves.toMatchObject({ id: finding.id, reportIssued: true });
		});
	});
});
