import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { callerFor, newActor, newOrganisation, newTenant, testApp } from '../support/factories';
import {
	auditOf,
	json,
	newEvaluation,
	newFinding,
	newWorkflowWorld,
	type WorkflowWorld
} from '../support/workflow-factories';
import { Refusal } from '../../src/lib/server/errors';
import { todayInZone } from '../../src/lib/server/domain/calendar';
import { getGrantOptions, grantCertificate } from '../../src/lib/server/services/grant';
import { takeDecision } from '../../src/lib/server/services/decisions';
import { certificateExpiry, DEFAULT_SCHEME_RULES } from '../../src/lib/server/domain/scheme-rules';
import { createCertificate } from '../../src/lib/server/services/certificates';
import { createStandard } from '../../src/lib/server/services/standards';
import {
	issueEvaluationReport,
	planEvaluation,
	startEvaluation
} from '../../src/lib/server/services/evaluations';
import type { Actor } from '../../src/lib/server/actor';
import type { App } from '../../src/lib/server/app';
import type { EvaluationStatus } from '../../db/schema';

/*
 * Issue 12 item 1 and item 4 (transfer), on PostgreSQL and PGlite: the grant of an initial
 * certification through a decision (impartiality, the nonconformity blocks, which evaluation may
 * be granted, the grade, the number from the body's pattern without gaps, the certificate, its
 * decision, history, evaluation link, audit and email), the number counter under 20 concurrent
 * grants (PostgreSQL), its tenant boundary, and the admins' import of an existing or transferred
 * certificate.
 */

async function refusalOf(call: Promise<unknown>) {
	try {
		await call;
	} catch (error) {
		const cause = error instanceof TRPCError ? error.cause : error;
		if (cause instanceof Refusal)
			return { code: cause.kind, key: cause.messageKey, field: cause.field };
		if (error instanceof TRPCError) return { code: error.code, message: error.message };
		throw error;
	}
	throw new Error('expected the call to be refused');
}

describe.each(DIALECTS)('the grant of an initial certification (%s)', (kind) => {
	let t: TestDatabase;
	let app: App;
	let world: WorkflowWorld;
	let today: string;
	let year: string;

	/** An initial evaluation of the world's organisation, through the services unless the team needs otherwise. */
	async function initialEvaluation(
		options: {
			status?: EvaluationStatus;
			team?: string[];
			organisationId?: string;
			standardId?: string;
			tenant?: WorkflowWorld;
		} = {}
	): Promise<string> {
		const w = options.tenant ?? world;
		const status = options.status ?? 'report_issued';
		const team = options.team ?? [w.evaluator.userId];
		const organisationId = options.organisationId ?? w.organisationId;
		const standardId = options.standardId ?? w.standardId;
		if (team.length === 1 && team[0] === w.evaluator.userId) {
			const planned = await planEvaluation(t.db, w.admin, {
				kind: 'initial',
				organisationId,
				standardId,
				windowStart: '2026-11-01',
				windowEnd: '2026-11-03',
				teamIds: team,
				leadId: team[0]!
			});
			let version = planned.version;
			if (status !== 'planned')
				version = (await startEvaluation(t.db, w.admin, planned.id, version)).version;
			if (status === 'report_issued' || status === 'closed')
				await issueEvaluationReport(t.db, w.admin, planned.id, version);
			return planned.id;
		}
		// A decision maker on the team: a state the planning rules refuse, put in directly.
		return t.db.inTenant({ tenantId: w.tenantId, userId: null }, async (tx) => {
			const row = await tx
				.insertInto('evaluations')
				.values({
					tenant_id: w.tenantId,
					kind: 'initial',
					organisation_id: organisationId,
					standard_id: standardId,
					window_start: '2026-11-01',
					window_end: '2026-11-03',
					status,
					started_at: new Date(),
					report_issued_at: new Date()
				})
				.returning('id')
				.executeTakeFirstOrThrow();
			for (const [i, userId] of team.entries())
				await tx
					.insertInto('evaluation_team_members')
					.values({
						tenant_id: w.tenantId,
						evaluation_id: row.id,
						user_id: userId,
						team_role: i === 0 ? 'lead' : 'member'
					})
					.execute();
			return row.id;
		});
	}

	async function versionOf(evaluationId: string) {
		const row = await t.owner
			.selectFrom('evaluations')
			.select(['version', 'status', 'certificate_id'])
			.where('id', '=', evaluationId)
			.executeTakeFirstOrThrow();
		return row;
	}

	const grant = async (
		actor: Actor,
		evaluationId: string,
		overrides: Partial<{
			scope: string;
			gradeLevelId: string | null;
			reason: string;
			version: number;
		}> = {}
	) =>
		callerFor(app, actor).grant.take({
			evaluationId,
			version: overrides.version ?? (await versionOf(evaluationId)).version,
			scope: overrides.scope ?? '家用电器的售后服务（安装、维修）',
			gradeLevelId:
				overrides.gradeLevelId === undefined ? world.grades.five : overrides.gradeLevelId,
			reason: overrides.reason ?? '初次评价符合要求，批准认证。'
		});

	async function counters(tenantId: string) {
		return t.owner
			.selectFrom('certificate_number_counters')
			.select(['prefix', 'last_seq'])
			.where('tenant_id', '=', tenantId)
			.orderBy('prefix')
			.execute();
	}

	async function setPattern(tenantId: string, pattern: string) {
		await t.owner
			.updateTable('tenants')
			.set({ certificate_number_pattern: pattern })
			.where('id', '=', tenantId)
			.execute();
	}

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		app = testApp(t);
		world = await newWorkflowWorld(t);
		await setPattern(world.tenantId, 'DCB-{standard}-{year}-{seq:4}');
		today = todayInZone(new Date(), world.decider.tenant.timeZone);
		year = today.slice(0, 4);
	});

	afterAll(async () => {
		await t?.drop();
	});

	it('issues the certificate with the first number of its prefix, its decision, history, link, audit and email', async () => {
		const evaluationId = await initialEvaluation();
		const result = await grant(world.decider, evaluationId);
		expect(result.number).toBe(`DCB-27922-${year}-0001`);

		const certificate = await t.owner
			.selectFrom('certificates')
			.selectAll()
			.where('id', '=', result.certificateId)
			.executeTakeFirstOrThrow();
		expect(certificate).toMatchObject({
			number: `DCB-27922-${year}-0001`,
			organisation_id: world.organisationId,
			standard_id: world.standardId,
			status: 'active',
			origin: 'granted',
			previous_body_name: null,
			grade_level_id: world.grades.five,
			scope: '家用电器的售后服务（安装、维修）',
			issued_on: today,
			decided_on: today,
			// The scheme rules' default validity: 36 months, the day before.
			expires_on: certificateExpiry(today, DEFAULT_SCHEME_RULES)
		});

		const decision = await t.owner
			.selectFrom('decisions')
			.selectAll()
			.where('certificate_id', '=', certificate.id)
			.executeTakeFirstOrThrow();
		expect(decision).toMatchObject({
			id: result.decisionId,
			kind: 'grant',
			evaluation_id: evaluationId,
			decided_by: world.decider.userId,
			decided_on: today,
			new_grade_level_id: world.grades.five
		});
		const history = await t.owner
			.selectFrom('certificate_history')
			.select(['change', 'decision_id', 'to_status', 'to_grade_level_id', 'effective_on'])
			.where('certificate_id', '=', certificate.id)
			.execute();
		expect(history).toEqual([
			{
				change: 'issued',
				decision_id: decision.id,
				to_status: 'active',
				to_grade_level_id: world.grades.five,
				effective_on: today
			}
		]);

		// The decision is the evaluation's last step: closed, and it names its certificate.
		expect(await versionOf(evaluationId)).toMatchObject({
			status: 'closed',
			certificate_id: certificate.id
		});
		const certificateAudit = await auditOf(t, certificate.id);
		expect(certificateAudit.map((entry) => entry.action)).toEqual([
			'certificate.create',
			'decision.grant'
		]);
		expect(json(certificateAudit[0]!.after)).toMatchObject({ origin: 'granted' });
		expect(json(certificateAudit[1]!.after)).toMatchObject({
			number: certificate.number,
			evaluationId
		});
		const evaluationAudit = await auditOf(t, evaluationId);
		expect(evaluationAudit.at(-1)).toMatchObject({ action: 'evaluation.close' });
		expect(json(evaluationAudit.at(-1)!.after)).toMatchObject({
			status: 'closed',
			certificateId: certificate.id
		});

		const mail = await t.owner
			.selectFrom('outbox')
			.select(['template', 'recipient_user_id', 'link'])
			.where('tenant_id', '=', world.tenantId)
			.where('template', '=', 'certificate.decision_taken')
			.where('link', 'like', `%${certificate.id}`)
			.execute();
		expect(mail.map((row) => row.recipient_user_id)).toContain(world.orgUser.userId);
	});

	it('refuses a decision maker who was on the evaluation team, and everyone not a decision maker, using no number', async () => {
		const before = await counters(world.tenantId);
		const onTeam = await newActor(t, world.tenantId, 'decision_maker');
		const evaluationId = await initialEvaluation({ team: [world.evaluator.userId, onTeam.userId] });
		expect(await refusalOf(grant(onTeam, evaluationId))).toMatchObject({
			code: 'FORBIDDEN',
			key: 'findings_decision_refused_team_member'
		});
		for (const actor of [world.admin, world.evaluator, world.orgUser])
			expect(await refusalOf(grant(actor, evaluationId))).toMatchObject({ code: 'FORBIDDEN' });
		expect(await counters(world.tenantId)).toEqual(before);
		expect(await versionOf(evaluationId)).toMatchObject({ certificate_id: null });

		// Another decision maker, impartial, grants it, with the next number: no gap.
		const granted = await grant(world.decider, evaluationId);
		expect(granted.number).toBe(`DCB-27922-${year}-0002`);
	});

	it('refuses while a major is not closed or a minor has no accepted plan, naming them', async () => {
		const evaluationId = await initialEvaluation();
		const scope = { ...world, evaluationId };
		const major = await newFinding(t, scope, {
			reference: 'IA-NC-1',
			grade: 'major',
			status: 'evidence_submitted'
		});
		expect(await refusalOf(grant(world.decider, evaluationId))).toMatchObject({
			code: 'CONFLICT',
			key: 'findings_decision_refused_major_open'
		});
		await t.owner
			.updateTable('findings')
			.set({ status: 'closed' })
			.where('id', '=', major.id)
			.execute();
		await newFinding(t, scope, {
			reference: 'IA-NC-2',
			grade: 'minor',
			status: 'response_submitted'
		});
		expect(await refusalOf(grant(world.decider, evaluationId))).toMatchObject({
			code: 'CONFLICT',
			key: 'findings_decision_refused_minor_without_plan'
		});
		expect(await versionOf(evaluationId)).toMatchObject({
			status: 'report_issued',
			certificate_id: null
		});
		const next = await grant(world.decider, await initialEvaluation());
		expect(next.number).toBe(`DCB-27922-${year}-0003`);
	});

	it('grants only an initial evaluation whose report is out, once', async () => {
		const planned = await initialEvaluation({ status: 'in_progress' });
		expect(await refusalOf(grant(world.decider, planned))).toMatchObject({
			code: 'CONFLICT',
			key: 'grant_refused_report_not_issued'
		});
		// The world's surveillance evaluation already has its certificate.
		expect(await refusalOf(grant(world.decider, world.evaluationId))).toMatchObject({
			code: 'CONFLICT',
			key: 'grant_refused_not_initial'
		});
		const evaluationId = await initialEvaluation();
		await grant(world.decider, evaluationId);
		expect(await refusalOf(grant(world.decider, evaluationId))).toMatchObject({
			code: 'CONFLICT',
			key: 'grant_refused_already_granted'
		});
	});

	it('refuses a stale version, a missing reason or scope and a grade not of the scale', async () => {
		const evaluationId = await initialEvaluation();
		const { version } = await versionOf(evaluationId);
		expect(
			await refusalOf(grant(world.decider, evaluationId, { version: version - 1 }))
		).toMatchObject({
			code: 'CONFLICT',
			key: 'error_stale_version'
		});
		expect(await refusalOf(grant(world.decider, evaluationId, { reason: '  ' }))).toMatchObject({
			code: 'BAD_REQUEST'
		});
		expect(await refusalOf(grant(world.decider, evaluationId, { scope: '' }))).toMatchObject({
			code: 'BAD_REQUEST'
		});
		expect(
			await refusalOf(grant(world.decider, evaluationId, { gradeLevelId: null }))
		).toMatchObject({
			code: 'BAD_REQUEST',
			key: 'organisations_error_grade_required',
			field: 'gradeLevelId'
		});
		expect(
			await refusalOf(grant(world.decider, evaluationId, { gradeLevelId: crypto.randomUUID() }))
		).toMatchObject({ code: 'BAD_REQUEST', key: 'organisations_error_grade_not_in_scale' });
		expect(await versionOf(evaluationId)).toMatchObject({ certificate_id: null });
	});

	it('grants without a grade under a standard without a scale, and refuses one there', async () => {
		const standard = await createStandard(t.db, world.admin, {
			code: `GB/T 20647.9-${crypto.randomUUID().slice(0, 6)}`,
			titleZh: '物业服务',
			titleEn: 'Property management'
		});
		const evaluationId = await initialEvaluation({ standardId: standard.id });
		expect(
			await refusalOf(grant(world.decider, evaluationId, { gradeLevelId: world.grades.five }))
		).toMatchObject({ code: 'BAD_REQUEST', key: 'organisations_error_grade_no_scale' });
		const granted = await grant(world.decider, evaluationId, { gradeLevelId: null });
		// Another standard is another prefix: it starts at 1.
		expect(granted.number).toBe(`DCB-20647-${year}-0001`);
	});

	it('counts per prefix: a new year starts again, and a number an import holds is passed over', async () => {
		const evaluationId = await initialEvaluation();
		const { version } = await versionOf(evaluationId);
		const nextYear = await grantCertificate(
			t.db,
			world.decider,
			{ evaluationId, version, scope: 'x', gradeLevelId: world.grades.four, reason: 'ok' },
			new Date('2031-03-01T04:00:00Z')
		);
		expect(nextYear.number).toBe('DCB-27922-2031-0001');
		// An admin imports a certificate that already carries the next number of 2031.
		await createCertificate(t.db, world.admin, {
			number: 'DCB-27922-2031-0002',
			organisationId: world.otherOrganisationId,
			standardId: world.standardId,
			scope: 'imported',
			gradeLevelId: world.grades.three,
			issuedOn: '2026-02-01'
		});
		const other = await initialEvaluation();
		const skipped = await grantCertificate(
			t.db,
			world.decider,
			{
				evaluationId: other,
				version: (await versionOf(other)).version,
				scope: 'x',
				gradeLevelId: world.grades.four,
				reason: 'ok'
			},
			new Date('2031-03-02T04:00:00Z')
		);
		expect(skipped.number).toBe('DCB-27922-2031-0003');
	});

	it('a grant on 29 February runs through 28 February of the expiry year, and renews to 28 February', async () => {
		const evaluationId = await initialEvaluation();
		const leapDay = new Date('2028-02-29T04:00:00Z');
		expect((await getGrantOptions(t.db, world.decider, evaluationId, leapDay)).expiresOn).toBe(
			'2031-02-28'
		);
		const granted = await grantCertificate(
			t.db,
			world.decider,
			{
				evaluationId,
				version: (await versionOf(evaluationId)).version,
				scope: 'x',
				gradeLevelId: world.grades.four,
				reason: 'ok'
			},
			leapDay
		);
		// No 29 February in 2031: the anniversary is 1 March, the last valid day the 28th.
		expect(granted.expiresOn).toBe('2031-02-28');
		const row = await t.owner
			.selectFrom('certificates')
			.select(['issued_on', 'expires_on', 'version'])
			.where('id', '=', granted.certificateId)
			.executeTakeFirstOrThrow();
		expect(row).toMatchObject({ issued_on: '2028-02-29', expires_on: '2031-02-28' });
		// Its renewal continues the cycle: through 28 February 2034, the day before 1 March.
		const recertification = await newEvaluation(
			t,
			{ ...world, certificateId: granted.certificateId },
			{ kind: 'recertification' }
		);
		await takeDecision(t.db, world.decider, {
			certificateId: granted.certificateId,
			version: row.version,
			evaluationId: recertification,
			kind: 'renew',
			reason: 'Recertified.'
		});
		expect(
			(
				await t.owner
					.selectFrom('certificates')
					.select('expires_on')
					.where('id', '=', granted.certificateId)
					.executeTakeFirstOrThrow()
			).expires_on
		).toBe('2034-02-28');
	});

	it('refuses an unusable pattern with a message, changing nothing', async () => {
		const tenant = await newTenant(t);
		const decider = await newActor(t, tenant.id, 'decision_maker');
		// The column's own check takes any 6–60 characters; the rule refuses one without {seq}.
		await setPattern(tenant.id, 'NO-SEQUENCE');
		const evaluator = await newActor(t, tenant.id, 'evaluator');
		const admin = await newActor(t, tenant.id, 'admin');
		const organisation = await newOrganisation(t, tenant.id);
		const standard = await createStandard(t.db, admin, {
			code: 'RB/T 309-2017',
			titleZh: '餐饮',
			titleEn: 'Catering'
		});
		const w = { ...world, tenantId: tenant.id, admin, evaluator, decider };
		const evaluationId = await initialEvaluation({
			tenant: w,
			organisationId: organisation.id,
			standardId: standard.id
		});
		expect(await refusalOf(grant(decider, evaluationId, { gradeLevelId: null }))).toMatchObject({
			code: 'CONFLICT',
			key: 'grant_refused_pattern_invalid'
		});
		expect(await counters(tenant.id)).toEqual([]);
	});

	it("keeps a tenant's counters and evaluations from another tenant", async () => {
		const other = await newWorkflowWorld(t);
		const evaluationId = await initialEvaluation({ tenant: other });
		// Another body's decision maker: its evaluation is not found, and its counters not seen.
		expect(
			await refusalOf(
				callerFor(app, world.decider).grant.take({
					evaluationId,
					version: 3,
					scope: 'x',
					gradeLevelId: other.grades.five,
					reason: 'x'
				})
			)
		).toMatchObject({ code: 'NOT_FOUND' });
		expect(
			await refusalOf(callerFor(app, world.decider).grant.options({ evaluationId }))
		).toMatchObject({ code: 'NOT_FOUND' });
		await callerFor(app, other.decider).grant.take({
			evaluationId,
			version: (await versionOf(evaluationId)).version,
			scope: 'x',
			gradeLevelId: other.grades.five,
			reason: 'ok'
		});
		const seen = await t.db.inTenant({ tenantId: world.tenantId, userId: null }, (tx) =>
			tx.selectFrom('certificate_number_counters').select(['tenant_id']).execute()
		);
		expect(seen.length).toBeGreaterThan(0);
		expect(seen.every((row) => row.tenant_id === world.tenantId)).toBe(true);
		// Writing a counter row of another tenant is refused by the policy's check.
		await expect(
			t.db.inTenant({ tenantId: world.tenantId, userId: null }, (tx) =>
				tx
					.insertInto('certificate_number_counters')
					.values({ tenant_id: other.tenantId, prefix: 'X-{seq}', last_seq: 1 })
					.execute()
			)
		).rejects.toThrow();
	});

	it('offers the grant page what it needs: blockers, the team, grades, the next number, the validity', async () => {
		const evaluationId = await initialEvaluation();
		await newFinding(
			t,
			{ ...world, evaluationId },
			{ reference: 'IA-NC-9', grade: 'major', status: 'open' }
		);
		const options = await callerFor(app, world.decider).grant.options({ evaluationId });
		expect(options).toMatchObject({
			refusal: null,
			onTeam: false,
			openMajors: ['IA-NC-9'],
			minorsWithoutPlan: [],
			issuedOn: today,
			expiresOn: certificateExpiry(today, DEFAULT_SCHEME_RULES),
			validityMonths: 36
		});
		expect(options.nextNumber).toMatch(new RegExp(`^DCB-27922-${year}-\\d{4}$`));
		expect(options.gradeLevels.map((g) => g.code)).toEqual(['5-star', '4-star', '3-star']);
		expect(
			await refusalOf(callerFor(app, world.evaluator).grant.options({ evaluationId }))
		).toMatchObject({ code: 'FORBIDDEN' });
	});

	it('imports an existing certificate (admins only) and one transferred from another body', async () => {
		const imported = await callerFor(app, world.admin).certificates.create({
			number: `OLD-${crypto.randomUUID().slice(0, 8)}`,
			organisationId: world.organisationId,
			standardId: world.standardId,
			scope: 'imported scope',
			gradeLevelId: world.grades.four,
			issuedOn: '2025-05-01'
		});
		expect(imported).toMatchObject({ origin: 'imported', previous_body_name: null });
		const transferred = await callerFor(app, world.admin).certificates.create({
			number: `TR-${crypto.randomUUID().slice(0, 8)}`,
			organisationId: world.organisationId,
			standardId: world.standardId,
			scope: 'transferred scope',
			gradeLevelId: world.grades.four,
			issuedOn: '2024-07-01',
			previousBodyName: '中国质量认证中心',
			previousNumber: 'CQC-2024-0099'
		});
		expect(transferred).toMatchObject({
			origin: 'transferred',
			previous_body_name: '中国质量认证中心',
			previous_number: 'CQC-2024-0099',
			issued_on: '2024-07-01'
		});
		const lines = (id: string) =>
			t.owner
				.selectFrom('certificate_history')
				.select(['change', 'effective_on'])
				.where('certificate_id', '=', id)
				.orderBy('effective_on')
				.execute();
		expect((await lines(imported.id)).map((line) => line.change)).toEqual(['issued', 'imported']);
		expect(await lines(transferred.id)).toEqual([
			{ change: 'issued', effective_on: '2024-07-01' },
			{ change: 'transferred', effective_on: today }
		]);
		expect(json((await auditOf(t, transferred.id))[0]!.after)).toMatchObject({
			origin: 'transferred',
			previousBodyName: '中国质量认证中心'
		});

		// Evaluators no longer type certificates in; half a transfer is refused on its field.
		expect(
			await refusalOf(
				callerFor(app, world.evaluator).certificates.create({
					number: 'EV-1',
					organisationId: world.organisationId,
					standardId: world.standardId,
					scope: 'x',
					gradeLevelId: world.grades.four,
					issuedOn: '2025-05-01'
				})
			)
		).toMatchObject({ code: 'FORBIDDEN' });
		expect(
			await refusalOf(
				callerFor(app, world.admin).certificates.create({
					number: 'HALF-1',
					organisationId: world.organisationId,
					standardId: world.standardId,
					scope: 'x',
					gradeLevelId: world.grades.four,
					issuedOn: '2025-05-01',
					previousBodyName: 'Another body'
				})
			)
		).toMatchObject({ code: 'BAD_REQUEST', field: 'previousNumber' });
	});

	it.runIf(kind === 'postgres')(
		'allocates distinct, gapless numbers to 20 concurrent grants, refused ones using none',
		async () => {
			const w = await newWorkflowWorld(t);
			await setPattern(w.tenantId, 'CC-{year}-{seq:3}');
			const onTeam = await newActor(t, w.tenantId, 'decision_maker');
			const evaluations = [];
			for (let i = 0; i < 20; i++) evaluations.push(await initialEvaluation({ tenant: w }));
			const partial = [];
			for (let i = 0; i < 5; i++)
				partial.push(
					await initialEvaluation({ tenant: w, team: [w.evaluator.userId, onTeam.userId] })
				);
			const versions = await Promise.all(
				[...evaluations, ...partial].map(async (id) => (await versionOf(id)).version)
			);
			const calls = [...evaluations, ...partial].map((evaluationId, i) =>
				callerFor(app, i < 20 ? w.decider : onTeam)
					.grant.take({
						evaluationId,
						version: versions[i]!,
						scope: 'x',
						gradeLevelId: w.grades.five,
						reason: 'ok'
					})
					.then(
						(result) => result.number,
						() => null
					)
			);
			const numbers = await Promise.all(calls);
			expect(numbers.slice(20)).toEqual([null, null, null, null, null]);
			const granted = numbers.slice(0, 20).sort();
			expect(granted).toEqual(
				Array.from({ length: 20 }, (_, i) => `CC-${year}-${String(i + 1).padStart(3, '0')}`)
			);
			expect(await counters(w.tenantId)).toEqual([{ prefix: `CC-${year}-{seq}`, last_seq: 20 }]);
		},
		60_000
	);
});
