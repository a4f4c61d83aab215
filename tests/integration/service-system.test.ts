import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { callerFor, newActor, newOrganisation, newTenant, testApp } from '../support/factories';
import { newStandard, auditActions } from '../support/evaluations-factories';
import type { Actor } from '../../src/lib/server/actor';
import { Refusal } from '../../src/lib/server/errors';
import {
	approveObjective,
	createCommitment,
	createObjective,
	createOutlet,
	getServiceSystem,
	recordMeasurement,
	updateCommitment,
	updateObjective,
	updateOutlet
} from '../../src/lib/server/services/service-system';
import {
	createCommitmentInput,
	createObjectiveInput,
	createOutletInput,
	recordMeasurementInput,
	updateObjectiveInput,
	updateOutletInput
} from '../../src/lib/server/services/service-system.schema';
import { raiseFinding } from '../../src/lib/server/services/findings';
import { raiseFindingInput } from '../../src/lib/server/services/findings.schema';
import { getFindingDetail } from '../../src/lib/server/services/finding-detail';

/*
 * The organisation's service system (issue 12 item 5) against PostgreSQL and PGlite: its admin
 * keeps commitments, objectives and outlets and approves objectives; its members record
 * measurements, met or not by the objective's target; every change is audited and an objective's
 * change keeps the version it replaced. The body's staff read it and raise findings against a
 * commitment or an outlet — only the evaluated organisation's own.
 */

/** Noon in Shanghai on a day, as an instant. */
const at = (day: string) => new Date(`${day}T04:00:00Z`);

async function refusalOf(work: Promise<unknown>): Promise<Refusal> {
	const error = await work.then(
		() => null,
		(cause: unknown) => cause
	);
	expect(error).toBeInstanceOf(Refusal);
	return error as Refusal;
}

describe.each(DIALECTS)('the service system (%s)', (kind) => {
	let t: TestDatabase;
	let admin: Actor;
	let evaluator: Actor;
	let orgAdmin: Actor;
	let orgMember: Actor;
	let otherOrgAdmin: Actor;
	let tenantBOrgAdmin: Actor;
	let orgX: { id: string };
	let orgY: { id: string };
	let orgB: { id: string };

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		const tenantA = await newTenant(t);
		const tenantB = await newTenant(t);
		orgX = await newOrganisation(t, tenantA.id);
		orgY = await newOrganisation(t, tenantA.id);
		orgB = await newOrganisation(t, tenantB.id);
		admin = await newActor(t, tenantA.id, 'admin');
		evaluator = await newActor(t, tenantA.id, 'evaluator');
		orgAdmin = await newActor(t, tenantA.id, 'org_admin', orgX.id);
		orgMember = await newActor(t, tenantA.id, 'org_member', orgX.id);
		otherOrgAdmin = await newActor(t, tenantA.id, 'org_admin', orgY.id);
		tenantBOrgAdmin = await newActor(t, tenantB.id, 'org_admin', orgB.id);
	});

	afterAll(async () => {
		await t?.drop();
	});

	const commitment = (organisationId: string, fields: Record<string, unknown> = {}) =>
		createCommitmentInput.parse({
			organisationId,
			kind: 'work_order_rule',
			textZh: '客户投诉应在 4 小时内上报分管领导。',
			textEn: 'A customer complaint is reported to the manager in charge within 4 hours.',
			limitValue: '4',
			limitUnit: 'hours',
			...fields
		});
	const objective = (organisationId: string, fields: Record<string, unknown> = {}) =>
		createObjectiveInput.parse({
			organisationId,
			titleZh: '顾客满意率',
			titleEn: 'Customer satisfaction',
			metricZh: '回访满意户数 ÷ 回访总户数 × 100%',
			targetValue: '95',
			unit: '%',
			direction: 'at_least',
			owner: '服务部',
			period: 'monthly',
			...fields
		});
	const outlet = (organisationId: string, fields: Record<string, unknown> = {}) =>
		createOutletInput.parse({
			organisationId,
			name: '湖里网点',
			address: '福建省厦门市湖里区',
			scope: ['minor_repair', 'maintenance', 'spare_parts'],
			publiclyListed: 'on',
			operator: '维修组 王师傅',
			...fields
		});

	it("keeps an organisation's commitments, audited, and refuses a bad limit on its field", async () => {
		const { id } = await createCommitment(t.db, orgAdmin, commitment(orgX.id), at('2026-10-01'));
		const system = await getServiceSystem(t.db, evaluator, { organisationId: orgX.id });
		expect(system.commitments).toEqual([
			expect.objectContaining({
				id,
				kind: 'work_order_rule',
				limitValue: 4,
				limitUnit: 'hours',
				version: 1
			})
		]);
		// The body's staff read it but may not change it; the organisation's admin changes it.
		expect(system.may).toEqual({ manage: false, approve: false, measure: false });
		const changed = await updateCommitment(t.db, orgAdmin, {
			commitmentId: id,
			version: 1,
			...commitment(orgX.id, { limitValue: '2', textZh: '客户投诉应在 2 小时内上报分管领导。' }),
			withdrawn: false
		});
		expect(changed.version).toBe(2);
		expect(await auditActions(t, id)).toEqual([
			'service_commitment.create',
			'service_commitment.update'
		]);
		// The version the user saw has moved on: refused, nothing changed.
		const stale = await refusalOf(
			updateCommitment(t.db, orgAdmin, {
				commitmentId: id,
				version: 1,
				...commitment(orgX.id),
				withdrawn: true
			})
		);
		expect(stale.kind).toBe('CONFLICT');
		// A limit without its unit is refused by the schema, on the unit.
		const parsed = createCommitmentInput.safeParse({ ...commitment(orgX.id), limitUnit: '' });
		expect(parsed.success).toBe(false);
		expect(parsed.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
			['limitUnit', 'service_error_limit_unit_required']
		]);
	});

	it('lets only the organisation write it: the body and the members are refused, another organisation gets not found', async () => {
		for (const actor of [admin, evaluator, orgMember]) {
			const refusal = await refusalOf(createCommitment(t.db, actor, commitment(orgX.id)));
			expect(refusal.kind, actor.role).toBe('FORBIDDEN');
			expect(refusal.messageKey).toBe('service_refused_manage');
		}
		expect((await refusalOf(createOutlet(t.db, otherOrgAdmin, outlet(orgX.id)))).kind).toBe(
			'NOT_FOUND'
		);
		expect(
			(await refusalOf(getServiceSystem(t.db, otherOrgAdmin, { organisationId: orgX.id }))).kind
		).toBe('NOT_FOUND');
	});

	it('approves an objective by its management only, then records measurements met and not met', async () => {
		const { id } = await createObjective(t.db, orgAdmin, objective(orgX.id), at('2026-09-01'));
		// A draft is not measured: management approves it first.
		const draft = await refusalOf(
			recordMeasurement(
				t.db,
				orgMember,
				recordMeasurementInput.parse({ objectiveId: id, periodDay: '2026-09-15', value: '97' }),
				at('2026-10-02')
			)
		);
		expect(draft.messageKey).toBe('service_error_objective_not_approved');
		// A member may not approve (nor may the body's administrator).
		for (const actor of [orgMember, admin]) {
			const refusal = await refusalOf(
				approveObjective(t.db, actor, { objectiveId: id, version: 1 })
			);
			expect(refusal.kind, actor.role).toBe('FORBIDDEN');
			expect(refusal.messageKey).toBe('service_refused_approve');
		}
		const approved = await approveObjective(
			t.db,
			orgAdmin,
			{ objectiveId: id, version: 1 },
			at('2026-09-02')
		);
		expect(approved.approvedOn).toBe('2026-09-02');
		expect(
			(await refusalOf(approveObjective(t.db, orgAdmin, { objectiveId: id, version: 1 })))
				.messageKey
		).toBe('service_error_already_approved');

		const september = await recordMeasurement(
			t.db,
			orgMember,
			recordMeasurementInput.parse({ objectiveId: id, periodDay: '2026-09-15', value: '97.5' }),
			at('2026-10-02')
		);
		expect(september).toMatchObject({
			periodStart: '2026-09-01',
			periodEnd: '2026-09-30',
			met: true
		});
		const october = await recordMeasurement(
			t.db,
			orgMember,
			recordMeasurementInput.parse({ objectiveId: id, periodDay: '2026-10-31', value: '93' }),
			at('2026-11-02')
		);
		expect(october.met).toBe(false);
		// A period is measured once; one not begun yet is not measured at all.
		const again = await refusalOf(
			recordMeasurement(
				t.db,
				orgMember,
				recordMeasurementInput.parse({ objectiveId: id, periodDay: '2026-09-01', value: '99' }),
				at('2026-11-02')
			)
		);
		expect([again.kind, again.messageKey, again.field]).toEqual([
			'CONFLICT',
			'service_error_measurement_exists',
			'periodDay'
		]);
		const future = await refusalOf(
			recordMeasurement(
				t.db,
				orgMember,
				recordMeasurementInput.parse({ objectiveId: id, periodDay: '2026-12-01', value: '99' }),
				at('2026-11-02')
			)
		);
		expect([future.kind, future.messageKey]).toEqual([
			'BAD_REQUEST',
			'service_error_period_future'
		]);
		// The body's evaluator records nothing.
		expect(
			(
				await refusalOf(
					recordMeasurement(
						t.db,
						evaluator,
						recordMeasurementInput.parse({ objectiveId: id, periodDay: '2026-08-01', value: '99' })
					)
				)
			).messageKey
		).toBe('service_refused_measure');

		const system = await getServiceSystem(
			t.db,
			evaluator,
			{ organisationId: orgX.id },
			at('2026-11-02')
		);
		const shown = system.objectives.find((o) => o.id === id)!;
		expect(shown.approvedOn).toBe('2026-09-02');
		expect(shown.approvedByName).toBe(orgAdmin.name);
		expect(shown.history.map((m) => [m.periodStart, m.value, m.met])).toEqual([
			['2026-09-01', 97.5, true],
			['2026-10-01', 93, false]
		]);
		expect(await auditActions(t, id)).toEqual([
			'service_objective.create',
			'service_objective.approve'
		]);
	});

	it("records an objective's change with the version it replaced, to be approved again", async () => {
		const { id } = await createObjective(
			t.db,
			orgAdmin,
			objective(orgX.id, {
				titleZh: '投诉处理及时率',
				targetValue: '4',
				unit: '小时',
				direction: 'at_most'
			}),
			at('2026-09-01')
		);
		await approveObjective(t.db, orgAdmin, { objectiveId: id, version: 1 }, at('2026-09-01'));
		await recordMeasurement(
			t.db,
			orgAdmin,
			recordMeasurementInput.parse({ objectiveId: id, periodDay: '2026-09-10', value: '4' }),
			at('2026-10-01')
		);
		const change = (fields: Record<string, unknown>) =>
			updateObjectiveInput.parse({
				...objective(orgX.id, {
					titleZh: '投诉处理及时率',
					targetValue: '4',
					unit: '小时',
					direction: 'at_most'
				}),
				objectiveId: id,
				version: 1,
				active: 'on',
				changeReason: '管理评审决定收紧时限',
				...fields
			});
		// The reason is required.
		expect(updateObjectiveInput.safeParse({ ...change({}), changeReason: ' ' }).success).toBe(
			false
		);
		// Nothing changed: nothing written.
		expect(await updateObjective(t.db, orgAdmin, change({}))).toMatchObject({
			changed: false,
			version: 1
		});
		const saved = await updateObjective(
			t.db,
			orgAdmin,
			change({ targetValue: '2' }),
			at('2026-10-05')
		);
		expect(saved).toMatchObject({ changed: true, version: 2 });
		const system = await getServiceSystem(
			t.db,
			orgMember,
			{ organisationId: orgX.id },
			at('2026-11-02')
		);
		const shown = system.objectives.find((o) => o.id === id)!;
		expect([shown.targetValue, shown.version, shown.approvedOn]).toEqual([2, 2, null]);
		expect(shown.versions).toEqual([
			expect.objectContaining({
				version: 1,
				reason: '管理评审决定收紧时限',
				changedByName: orgAdmin.name,
				content: expect.objectContaining({ target_value: 4, approved_on: '2026-09-01' })
			})
		]);
		// September was judged against the 4 hours it had then: 4 is met, and stays met.
		expect(shown.measurements.map((m) => [m.targetValue, m.met])).toEqual([[4, true]]);
		// A member sees it but may only measure.
		expect(system.may).toEqual({ manage: false, approve: false, measure: true });
		// The new version waits for approval: no measurement until then.
		expect(
			(
				await refusalOf(
					recordMeasurement(
						t.db,
						orgMember,
						recordMeasurementInput.parse({ objectiveId: id, periodDay: '2026-10-10', value: '1' }),
						at('2026-11-02')
					)
				)
			).messageKey
		).toBe('service_error_objective_not_approved');
		expect(await auditActions(t, id)).toEqual([
			'service_objective.create',
			'service_objective.approve',
			'service_objective.update'
		]);
	});

	it('keeps outlets: scope as a set, listed or not, who runs it; another tenant never sees them', async () => {
		const { id } = await createOutlet(
			t.db,
			orgAdmin,
			outlet(orgX.id, { scope: ['maintenance', 'maintenance', 'spare_parts'] })
		);
		const edited = await updateOutlet(
			t.db,
			orgAdmin,
			updateOutletInput.parse({
				...outlet(orgX.id),
				outletId: id,
				version: 1,
				publiclyListed: '',
				active: 'on',
				operator: '厦门某维修服务部'
			})
		);
		expect(edited.version).toBe(2);
		const system = await getServiceSystem(t.db, admin, { organisationId: orgX.id });
		expect(system.outlets.find((o) => o.id === id)).toMatchObject({
			scope: ['minor_repair', 'maintenance', 'spare_parts'],
			publiclyListed: false,
			operator: '厦门某维修服务部'
		});
		expect(
			createOutletInput.safeParse({ ...outlet(orgX.id), scope: [] }).error?.issues[0]?.message
		).toBe('service_error_scope_required');
		expect(createOutletInput.safeParse({ ...outlet(orgX.id), scope: ['cleaning'] }).success).toBe(
			false
		);
		// Another tenant: its own organisation's admin finds neither the row nor the organisation.
		const foreign = await refusalOf(
			updateOutlet(
				t.db,
				tenantBOrgAdmin,
				updateOutletInput.parse({ ...outlet(orgB.id), outletId: id, version: 2, active: 'on' })
			)
		);
		expect(foreign.kind).toBe('NOT_FOUND');
		const rows = await t.db.inTenant({ tenantId: tenantBOrgAdmin.tenantId, userId: null }, (tx) =>
			tx.selectFrom('service_outlets').select('id').execute()
		);
		expect(rows).toEqual([]);
		expect(await auditActions(t, id)).toEqual(['service_outlet.create', 'service_outlet.update']);
	});

	describe('findings against a commitment or an outlet', () => {
		let evaluationId: string;
		let commitmentId: string;
		let outletId: string;

		beforeAll(async () => {
			const standard = await newStandard(t, admin.tenantId);
			evaluationId = await t.db.inTenant({ tenantId: admin.tenantId, userId: null }, async (tx) => {
				const evaluation = await tx
					.insertInto('evaluations')
					.values({
						tenant_id: admin.tenantId,
						kind: 'initial',
						organisation_id: orgX.id,
						standard_id: standard.id,
						window_start: '2026-11-01',
						window_end: '2026-11-30',
						status: 'in_progress'
					})
					.returning('id')
					.executeTakeFirstOrThrow();
				await tx
					.insertInto('evaluation_team_members')
					.values({
						tenant_id: admin.tenantId,
						evaluation_id: evaluation.id,
						user_id: evaluator.userId,
						team_role: 'lead'
					})
					.execute();
				return evaluation.id;
			});
			({ id: commitmentId } = await createCommitment(t.db, orgAdmin, commitment(orgX.id)));
			({ id: outletId } = await createOutlet(t.db, orgAdmin, outlet(orgX.id)));
		});

		const finding = (fields: Record<string, unknown>) =>
			raiseFindingInput.parse({
				evaluationId,
				kind: 'nonconformity',
				grade: 'minor',
				statement: '抽查 3 份投诉派工单，2 份超过 4 小时才上报。',
				...fields
			});

		it('raises a finding against a commitment and one against an outlet, shown on the finding page', async () => {
			const onCommitment = await raiseFinding(
				t.db,
				evaluator,
				evaluationId,
				finding({ commitmentId })
			);
			expect(onCommitment.commitment_id).toBe(commitmentId);
			const onOutlet = await raiseFinding(
				t.db,
				evaluator,
				evaluationId,
				finding({ kind: 'observation', grade: '', outletId, statement: '网点未张贴收费标准。' })
			);
			expect([onOutlet.outlet_id, onOutlet.commitment_id]).toEqual([outletId, null]);
			const detail = await getFindingDetail(t.db, evaluator, onCommitment.id);
			expect(detail.serviceSubjects.commitment).toMatchObject({ id: commitmentId, limitValue: 4 });
			expect(detail.serviceSubjects.outlet).toBeNull();
			const outletDetail = await getFindingDetail(t.db, evaluator, onOutlet.id);
			expect(outletDetail.serviceSubjects.outlet).toMatchObject({ id: outletId, name: '湖里网点' });
		});

		it("refuses another organisation's commitment and another tenant's outlet, on the field, writing nothing", async () => {
			const { id: otherCommitment } = await createCommitment(
				t.db,
				otherOrgAdmin,
				commitment(orgY.id)
			);
			const { id: foreignOutlet } = await createOutlet(t.db, tenantBOrgAdmin, outlet(orgB.id));
			const count = () =>
				t.db.inTenant(
					{ tenantId: admin.tenantId, userId: null },
					async (tx) =>
						(
							await tx
								.selectFrom('findings')
								.select('id')
								.where('evaluation_id', '=', evaluationId)
								.execute()
						).length
				);
			const before = await count();
			const other = await refusalOf(
				raiseFinding(t.db, evaluator, evaluationId, finding({ commitmentId: otherCommitment }))
			);
			expect([other.kind, other.messageKey, other.field]).toEqual([
				'BAD_REQUEST',
				'service_error_commitment_unknown',
				'commitmentId'
			]);
			const foreign = await refusalOf(
				raiseFinding(t.db, evaluator, evaluationId, finding({ outletId: foreignOutlet }))
			);
			expect([foreign.kind, foreign.messageKey, foreign.field]).toEqual([
				'BAD_REQUEST',
				'service_error_outlet_unknown',
				'outletId'
			]);
			expect(await count()).toBe(before);
		});
	});

	it('answers over tRPC with the same rules: a member cannot approve, the body reads', async () => {
		const app = testApp(t);
		const { id } = await createObjective(
			t.db,
			orgAdmin,
			objective(orgX.id, { titleZh: 'tRPC 目标' })
		);
		await expect(
			callerFor(app, orgMember).serviceSystem.approveObjective({ objectiveId: id, version: 1 })
		).rejects.toMatchObject({ code: 'FORBIDDEN' });
		await expect(
			callerFor(app, admin).serviceSystem.createOutlet({ ...outlet(orgX.id) })
		).rejects.toMatchObject({ code: 'FORBIDDEN' });
		const read = await callerFor(app, evaluator).serviceSystem.get({ organisationId: orgX.id });
		expect(read.objectives.some((o) => o.id === id)).toBe(true);
		await expect(
			callerFor(app, orgAdmin).serviceSystem.approveObjective({ objectiveId: id, version: 1 })
		).resolves.toMatchObject({ id });
	});
});
