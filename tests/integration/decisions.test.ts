import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { callerFor, newActor, newTenant, testApp } from '../support/factories';
import {
	auditOf,
	json,
	newCertificate,
	newEvaluation,
	newFinding,
	newWorkflowWorld,
	type WorkflowWorld
} from '../support/workflow-factories';
import { handleTrpcRequest } from '../../src/lib/server/trpc/handler';
import { Refusal } from '../../src/lib/server/errors';
import { translate } from '../../src/lib/server/i18n/translate';
import { todayInZone } from '../../src/lib/server/domain/calendar';
import type { Actor } from '../../src/lib/server/actor';
import type { App } from '../../src/lib/server/app';

/*
 * Certification decisions through tRPC (decisions router), on PostgreSQL and PGlite: what blocks
 * a decision (open majors, minors without an accepted plan, the decider on the team, the
 * certificate's status), who may decide, each kind's effect on the certificate and its history,
 * the audit entry, and stale versions.
 */

async function refusalOf(call: Promise<unknown>) {
	try {
		await call;
	} catch (error) {
		if (!(error instanceof TRPCError)) throw error;
		const cause = error.cause;
		return cause instanceof Refusal
			? {
					code: error.code,
					key: cause.messageKey,
					field: cause.field,
					message: translate(cause.messageKey, 'en', cause.params)
				}
			: { code: error.code, message: error.message };
	}
	throw new Error('expected the call to be refused');
}

describe.each(DIALECTS)('certification decisions (%s)', (kind) => {
	let t: TestDatabase;
	let app: App;
	let world: WorkflowWorld;
	let today: string;

	/** A certificate of its own (decisions change it), with an issued surveillance evaluation. */
	async function freshCase(options: { status?: 'active' | 'suspended' } = {}) {
		const certificateId = await newCertificate(t, world, options);
		const evaluationId = await newEvaluation(t, { ...world, certificateId });
		const version = 1;
		return {
			certificateId,
			evaluationId,
			version,
			scope: { ...world, certificateId, evaluationId }
		};
	}

	async function certificate(id: string) {
		return t.owner
			.selectFrom('certificates')
			.selectAll()
			.where('id', '=', id)
			.executeTakeFirstOrThrow();
	}

	function history(certificateId: string) {
		return t.owner
			.selectFrom('certificate_history')
			.select([
				'change',
				'from_status',
				'to_status',
				'from_grade_level_id',
				'to_grade_level_id',
				'from_scope',
				'to_scope',
				'decision_id',
				'effective_on',
				'recorded_by'
			])
			.where('certificate_id', '=', certificateId)
			.orderBy('recorded_at')
			.orderBy('change')
			.execute();
	}

	function decisions(certificateId: string) {
		return t.owner
			.selectFrom('decisions')
			.selectAll()
			.where('certificate_id', '=', certificateId)
			.orderBy('decided_at')
			.execute();
	}

	/** What a refused decision must leave untouched. */
	async function footprint(certificateId: string) {
		const row = await certificate(certificateId);
		return {
			status: row.status,
			grade: row.grade_level_id,
			scope: row.scope,
			version: row.version,
			decisions: (await decisions(certificateId)).length,
			history: (await history(certificateId)).length,
			audit: (await auditOf(t, certificateId)).length
		};
	}

	const decide = (
		actor: Actor,
		input: Parameters<ReturnType<typeof callerFor>['decisions']['take']>[0]
	) => callerFor(app, actor).decisions.take(input);

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		app = testApp(t);
		world = await newWorkflowWorld(t);
		today = todayInZone(new Date(), world.decider.tenant.timeZone);
	});

	afterAll(async () => {
		await t?.drop();
	});

	it('refuses to maintain while a major is not closed, and maintains once it is', async () => {
		const c = await freshCase();
		const major = await newFinding(t, c.scope, {
			reference: 'NC-01',
			status: 'evidence_submitted',
			grade: 'major'
		});
		await newFinding(t, c.scope, { reference: 'NC-02', status: 'closed', grade: 'major' });
		const input = {
			certificateId: c.certificateId,
			version: c.version,
			evaluationId: c.evaluationId,
			kind: 'maintain' as const,
			reason: '监督评价结论：持续满足认证要求。'
		};
		const before = await footprint(c.certificateId);
		const refused = await refusalOf(decide(world.decider, input));
		expect(refused).toMatchObject({
			code: 'CONFLICT',
			key: 'findings_decision_refused_major_open'
		});
		expect(refused.message).toContain('NC-01');
		expect(refused.message).not.toContain('NC-02');
		expect(await footprint(c.certificateId)).toEqual(before);

		const options = await callerFor(app, world.decider).decisions.options({
			certificateId: c.certificateId
		});
		expect(options.evaluations[0]).toMatchObject({
			id: c.evaluationId,
			onTeam: false,
			openMajors: ['NC-01'],
			minorsWithoutPlan: []
		});

		await callerFor(app, world.evaluator).workflow.reviewEvidence({
			findingId: major.id,
			version: major.version,
			verdict: 'verify_effective',
			comment: ''
		});
		const taken = await decide(world.decider, input);
		expect(taken).toMatchObject({ status: 'active', version: c.version + 1 });

		const row = await certificate(c.certificateId);
		expect(row).toMatchObject({ status: 'active', grade_level_id: world.grades.five, version: 2 });
		expect(await decisions(c.certificateId)).toEqual([
			expect.objectContaining({
				id: taken.decisionId,
				kind: 'maintain',
				evaluation_id: c.evaluationId,
				reason: '监督评价结论：持续满足认证要求。',
				decided_by: world.decider.userId,
				decided_on: today
			})
		]);
		// Maintaining changes no status, grade or scope: nothing for the history to record.
		expect(await history(c.certificateId)).toEqual([]);
		const audit = await auditOf(t, c.certificateId);
		expect(audit).toHaveLength(1);
		expect(audit[0]).toMatchObject({
			action: 'decision.maintain',
			entity_type: 'certificate',
			actor_user_id: world.decider.userId
		});
		expect(json(audit[0]!.before)).toMatchObject({ status: 'active', grade: '5-star' });
		expect(json(audit[0]!.after)).toMatchObject({
			status: 'active',
			grade: '5-star',
			reason: '监督评价结论：持续满足认证要求。',
			evaluationId: c.evaluationId
		});

		// The decision closes the loop: the evaluation it followed is closed by it, audited, and
		// both the certificate's and the evaluation's pages list the decision (maintain included).
		const evaluation = await t.owner
			.selectFrom('evaluations')
			.select(['status', 'closed_at'])
			.where('id', '=', c.evaluationId)
			.executeTakeFirstOrThrow();
		expect(evaluation.status).toBe('closed');
		expect(evaluation.closed_at).not.toBeNull();
		const closing = await auditOf(t, c.evaluationId);
		expect(closing.map((entry) => entry.action)).toContain('evaluation.close');
		expect(json(closing.find((e) => e.action === 'evaluation.close')!.after)).toMatchObject({
			status: 'closed',
			decisionId: taken.decisionId
		});
		const page = await callerFor(app, world.decider).certificates.get({ id: c.certificateId });
		expect(page.decisions).toEqual([
			expect.objectContaining({
				id: taken.decisionId,
				kind: 'maintain',
				evaluation_id: c.evaluationId,
				decided_on: today
			})
		]);
		const evaluationPage = await callerFor(app, world.admin).evaluations.get({
			id: c.evaluationId
		});
		expect(evaluationPage.decisions.map((d) => d.kind)).toEqual(['maintain']);
	});

	it('refuses while a minor has no accepted plan, and allows once it has', async () => {
		const c = await freshCase();
		const minor = await newFinding(t, c.scope, {
			reference: 'NC-07',
			status: 'response_submitted',
			grade: 'minor'
		});
		await newFinding(t, c.scope, { reference: 'OBS-1', kind: 'observation' });
		const input = {
			certificateId: c.certificateId,
			version: c.version,
			evaluationId: c.evaluationId,
			kind: 'maintain' as const,
			reason: 'Surveillance passed.'
		};
		const refused = await refusalOf(decide(world.decider, input));
		expect(refused).toEqual({
			code: 'CONFLICT',
			key: 'findings_decision_refused_minor_without_plan',
			field: undefined,
			message:
				'Minor nonconformities of this evaluation have no accepted corrective-action plan yet: NC-07.'
		});
		expect(await auditOf(t, c.certificateId)).toEqual([]);

		await callerFor(app, world.evaluator).workflow.reviewResponse({
			findingId: minor.id,
			version: minor.version,
			verdict: 'accept',
			comment: ''
		});
		expect(await decide(world.decider, input)).toMatchObject({ status: 'active' });
	});

	it('refuses a decision maker who was on the evaluation team', async () => {
		const c = await freshCase();
		const teamEvaluation = await newEvaluation(
			t,
			{ ...world, certificateId: c.certificateId },
			{
				team: [
					{ userId: world.evaluator.userId, role: 'lead' },
					{ userId: world.decider.userId, role: 'member' }
				],
				windowEnd: '2026-11-20'
			}
		);
		const before = await footprint(c.certificateId);
		const refused = await refusalOf(
			decide(world.decider, {
				certificateId: c.certificateId,
				version: c.version,
				evaluationId: teamEvaluation,
				kind: 'maintain',
				reason: 'Fine.'
			})
		);
		expect(refused).toMatchObject({
			code: 'FORBIDDEN',
			key: 'findings_decision_refused_team_member'
		});
		expect(refused.message).toContain("You were on this evaluation's team");
		expect(await footprint(c.certificateId)).toEqual(before);

		const options = await callerFor(app, world.decider).decisions.options({
			certificateId: c.certificateId
		});
		// Newest window first; the team flag shows before anyone tries.
		expect(options.evaluations.map((e) => [e.id, e.onTeam])).toEqual([
			[teamEvaluation, true],
			[c.evaluationId, false]
		]);
	});

	it('refuses a suspension without an evaluation from a member of the latest team', async () => {
		const c = await freshCase();
		// The certificate's most recent evaluation had the decision maker on its team.
		await newEvaluation(
			t,
			{ ...world, certificateId: c.certificateId },
			{
				team: [
					{ userId: world.evaluator.userId, role: 'lead' },
					{ userId: world.decider.userId, role: 'member' }
				],
				windowEnd: '2026-11-30'
			}
		);
		const before = await footprint(c.certificateId);
		for (const kind of ['suspend', 'withdraw'] as const)
			expect(
				await refusalOf(
					decide(world.decider, {
						certificateId: c.certificateId,
						version: c.version,
						evaluationId: null,
						kind,
						reason: '严重不符合逾期未整改。'
					})
				),
				kind
			).toMatchObject({ code: 'FORBIDDEN', key: 'findings_decision_refused_team_member' });
		expect(await footprint(c.certificateId)).toEqual(before);

		// An older evaluation's team does not count once a newer one is held without them.
		await newEvaluation(
			t,
			{ ...world, certificateId: c.certificateId },
			{ windowEnd: '2026-12-20' }
		);
		expect(
			await decide(world.decider, {
				certificateId: c.certificateId,
				version: c.version,
				evaluationId: null,
				kind: 'suspend',
				reason: '严重不符合逾期未整改。'
			})
		).toMatchObject({ status: 'suspended' });
	});

	it('lets nobody but a decision maker decide (FORBIDDEN), and hides other tenants (NOT_FOUND)', async () => {
		const c = await freshCase();
		const before = await footprint(c.certificateId);
		const input = {
			certificateId: c.certificateId,
			version: c.version,
			evaluationId: c.evaluationId,
			kind: 'maintain' as const,
			reason: 'Fine.'
		};
		for (const actor of [world.admin, world.evaluator, world.orgUser]) {
			expect(await refusalOf(decide(actor, input))).toMatchObject({ code: 'FORBIDDEN' });
			expect(
				await refusalOf(callerFor(app, actor).decisions.options({ certificateId: c.certificateId }))
			).toMatchObject({ code: 'FORBIDDEN' });
		}
		const otherTenant = await newTenant(t);
		const otherDecider = await newActor(t, otherTenant.id, 'decision_maker');
		expect(await refusalOf(decide(otherDecider, input))).toMatchObject({ code: 'NOT_FOUND' });
		expect(
			await refusalOf(
				callerFor(app, otherDecider).decisions.options({ certificateId: c.certificateId })
			)
		).toMatchObject({ code: 'NOT_FOUND' });
		expect(await footprint(c.certificateId)).toEqual(before);
	});

	it('regrades: the grade, its history row and the audit entry change together', async () => {
		const c = await freshCase();
		const base = {
			certificateId: c.certificateId,
			version: c.version,
			evaluationId: c.evaluationId,
			kind: 'regrade' as const,
			reason: '评分 91 分，调整为四星。'
		};
		const before = await footprint(c.certificateId);
		expect(await refusalOf(decide(world.decider, base))).toMatchObject({
			code: 'BAD_REQUEST',
			field: 'newGradeLevelId',
			key: 'findings_decision_grade_required'
		});
		expect(
			await refusalOf(decide(world.decider, { ...base, newGradeLevelId: world.grades.five }))
		).toMatchObject({ code: 'BAD_REQUEST', field: 'newGradeLevelId' });
		const foreignGrade = await t.db.inTenant(
			{ tenantId: world.tenantId, userId: null },
			async (tx) => {
				const scale = await tx
					.insertInto('grade_scales')
					.values({ tenant_id: world.tenantId, name_zh: '其他', name_en: 'Other' })
					.returning('id')
					.executeTakeFirstOrThrow();
				return tx
					.insertInto('grade_levels')
					.values({
						tenant_id: world.tenantId,
						grade_scale_id: scale.id,
						rank: 1,
						code: 'A',
						label_zh: '甲',
						label_en: 'A'
					})
					.returning('id')
					.executeTakeFirstOrThrow();
			}
		);
		expect(
			await refusalOf(decide(world.decider, { ...base, newGradeLevelId: foreignGrade.id }))
		).toMatchObject({
			code: 'BAD_REQUEST',
			field: 'newGradeLevelId',
			key: 'findings_decision_grade_invalid'
		});
		expect(await footprint(c.certificateId)).toEqual(before);

		const taken = await decide(world.decider, { ...base, newGradeLevelId: world.grades.four });
		expect(await certificate(c.certificateId)).toMatchObject({
			status: 'active',
			grade_level_id: world.grades.four,
			version: 2
		});
		expect(await history(c.certificateId)).toEqual([
			{
				change: 'grade',
				from_status: null,
				to_status: null,
				from_grade_level_id: world.grades.five,
				to_grade_level_id: world.grades.four,
				from_scope: null,
				to_scope: null,
				decision_id: taken.decisionId,
				effective_on: today,
				recorded_by: world.decider.userId
			}
		]);
		expect((await decisions(c.certificateId))[0]).toMatchObject({
			kind: 'regrade',
			new_grade_level_id: world.grades.four
		});
		const [entry] = await auditOf(t, c.certificateId);
		expect(entry!.action).toBe('decision.regrade');
		expect(json(entry!.before).grade).toBe('5-star');
		expect(json(entry!.after).grade).toBe('4-star');
	});

	it('suspends without an evaluation, then restores after one', async () => {
		const c = await freshCase();
		// An open major does not hold up a suspension: suspension answers it.
		await newFinding(t, c.scope, { reference: 'NC-11', grade: 'major' });
		const suspended = await decide(world.decider, {
			certificateId: c.certificateId,
			version: c.version,
			evaluationId: null,
			kind: 'suspend',
			reason: '严重不符合逾期未整改。'
		});
		expect(suspended).toMatchObject({ status: 'suspended', version: 2 });

		// Restoring needs the evaluation it follows, and that evaluation's majors closed.
		expect(
			await refusalOf(
				decide(world.decider, {
					certificateId: c.certificateId,
					version: 2,
					evaluationId: null,
					kind: 'restore',
					reason: 'Corrected.'
				})
			)
		).toMatchObject({ code: 'BAD_REQUEST', field: 'evaluationId' });
		const special = await newEvaluation(
			t,
			{ ...world, certificateId: c.certificateId },
			{ windowEnd: '2026-11-25' }
		);
		const restored = await decide(world.decider, {
			certificateId: c.certificateId,
			version: 2,
			evaluationId: special,
			kind: 'restore',
			reason: '特殊评价确认整改有效，恢复证书。'
		});
		expect(restored).toMatchObject({ status: 'active', version: 3 });
		expect(
			(await history(c.certificateId)).map((h) => [h.change, h.from_status, h.to_status])
		).toEqual([
			['status', 'active', 'suspended'],
			['status', 'suspended', 'active']
		]);
		expect((await auditOf(t, c.certificateId)).map((e) => e.action)).toEqual([
			'decision.suspend',
			'decision.restore'
		]);

		// Restoring an active certificate says why not.
		const again = await refusalOf(
			decide(world.decider, {
				certificateId: c.certificateId,
				version: 3,
				evaluationId: special,
				kind: 'restore',
				reason: 'Again.'
			})
		);
		expect(again).toMatchObject({
			code: 'CONFLICT',
			key: 'findings_decision_refused_status_restore',
			message: 'Only a suspended certificate can be restored.'
		});
	});

	it('withdraws, after which nothing but history remains to decide', async () => {
		const c = await freshCase({ status: 'suspended' });
		const withdrawn = await decide(world.decider, {
			certificateId: c.certificateId,
			version: c.version,
			evaluationId: null,
			kind: 'withdraw',
			reason: '暂停期满仍未整改，撤销证书。'
		});
		expect(withdrawn.status).toBe('withdrawn');
		expect(await history(c.certificateId)).toEqual([
			expect.objectContaining({
				change: 'status',
				from_status: 'suspended',
				to_status: 'withdrawn'
			})
		]);
		const options = await callerFor(app, world.decider).decisions.options({
			certificateId: c.certificateId
		});
		expect(options.kinds).toEqual([]);
		expect(
			await refusalOf(
				decide(world.decider, {
					certificateId: c.certificateId,
					version: withdrawn.version,
					evaluationId: c.evaluationId,
					kind: 'maintain',
					reason: 'No.'
				})
			)
		).toMatchObject({ code: 'CONFLICT', key: 'findings_decision_refused_status_maintain' });
	});

	it('reduces the scope, recording the old and the new text', async () => {
		const c = await freshCase();
		const base = {
			certificateId: c.certificateId,
			version: c.version,
			evaluationId: c.evaluationId,
			kind: 'reduce_scope' as const,
			reason: '不再提供安装服务。'
		};
		expect(await refusalOf(decide(world.decider, { ...base, newScope: '  ' }))).toMatchObject({
			code: 'BAD_REQUEST',
			field: 'newScope'
		});
		const old = (await certificate(c.certificateId)).scope;
		expect(await refusalOf(decide(world.decider, { ...base, newScope: old }))).toMatchObject({
			code: 'BAD_REQUEST',
			key: 'findings_decision_scope_unchanged'
		});
		await decide(world.decider, { ...base, newScope: 'Repair of household appliances' });
		expect((await certificate(c.certificateId)).scope).toBe('Repair of household appliances');
		expect(await history(c.certificateId)).toEqual([
			expect.objectContaining({
				change: 'scope',
				from_scope: old,
				to_scope: 'Repair of household appliances'
			})
		]);
		const [entry] = await auditOf(t, c.certificateId);
		expect(entry!.action).toBe('decision.reduce_scope');
		expect(json(entry!.after).scope).toBe('Repair of household appliances');
	});

	it('refuses a stale certificate version with CONFLICT, writing nothing', async () => {
		const c = await freshCase();
		await decide(world.decider, {
			certificateId: c.certificateId,
			version: c.version,
			evaluationId: null,
			kind: 'suspend',
			reason: 'First.'
		});
		const before = await footprint(c.certificateId);
		const stale = await refusalOf(
			decide(world.decider, {
				certificateId: c.certificateId,
				version: c.version,
				evaluationId: null,
				kind: 'withdraw',
				reason: 'Second, from an old page.'
			})
		);
		expect(stale).toMatchObject({ code: 'CONFLICT', key: 'error_stale_version' });
		expect(stale.message).toBe(translate('error_stale_version', 'en'));
		expect(await footprint(c.certificateId)).toEqual(before);
	});

	it('refuses bad input on its field: reason, evaluation', async () => {
		const c = await freshCase();
		const before = await footprint(c.certificateId);
		const response = await handleTrpcRequest(
			new Request('http://localhost/api/trpc/decisions.take', {
				method: 'POST',
				headers: { 'content-type': 'application/json', origin: 'http://localhost' },
				body: JSON.stringify({
					json: {
						certificateId: c.certificateId,
						version: c.version,
						evaluationId: c.evaluationId,
						kind: 'maintain',
						reason: '   '
					}
				})
			}),
			{
				app,
				locale: 'zh-CN',
				actor: world.decider,
				person: {
					sessionId: 'test-session',
					userId: world.decider.userId,
					email: world.decider.email,
					name: world.decider.name,
					locale: null,
					expiresAt: new Date(Date.now() + 86_400_000),
					tenantId: world.tenantId
				}
			}
		);
		expect(response.status).toBe(400);
		const body = (await response.json()) as {
			error: { json: { data: { fields: Record<string, string> } } };
		};
		expect(body.error.json.data.fields).toEqual({ reason: translate('error_required', 'zh-CN') });

		// An evaluation of another certificate, or one whose report is not out.
		const other = await freshCase();
		const planned = await newEvaluation(
			t,
			{ ...world, certificateId: c.certificateId },
			{ status: 'in_progress' }
		);
		for (const evaluationId of [other.evaluationId, planned]) {
			expect(
				await refusalOf(
					decide(world.decider, {
						certificateId: c.certificateId,
						version: c.version,
						evaluationId,
						kind: 'maintain',
						reason: 'Fine.'
					})
				)
			).toMatchObject({
				code: 'BAD_REQUEST',
				field: 'evaluationId',
				key: 'findings_decision_evaluation_invalid'
			});
		}
		expect(await footprint(c.certificateId)).toEqual(before);
	});
});
