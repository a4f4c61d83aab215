import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { sql } from 'kysely';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { callerFor, newActor, newOrganisation, newTenant, testApp } from '../support/factories';
import { Refusal } from '../../src/lib/server/errors';
import { createStandard } from '../../src/lib/server/services/standards';
import { addClause } from '../../src/lib/server/services/clauses';
import { createGradeScale } from '../../src/lib/server/services/grade-scales';
import {
	issueEvaluationReport,
	planEvaluation,
	startEvaluation
} from '../../src/lib/server/services/evaluations';
import { getDecisionOptions } from '../../src/lib/server/services/decisions';
import { gradeProposal } from '../../src/lib/server/services/scoring';
import type { Actor } from '../../src/lib/server/actor';
import type { App } from '../../src/lib/server/app';

/*
 * Scoring and grades (issue 12 item 2) through tRPC, on PostgreSQL and PGlite: the admin's
 * scoring sheet and cap, scores given by the evaluation's team while it is in progress (and
 * refused to everyone else, another tenant included, down to row-level security), the audit
 * entries, stale forms, and the grade the scores propose to the decision page.
 */

async function refusalOf(call: Promise<unknown>) {
	try {
		await call;
	} catch (error) {
		if (!(error instanceof TRPCError)) throw error;
		const cause = error.cause;
		return cause instanceof Refusal
			? { code: error.code, key: cause.messageKey, field: cause.field }
			: { code: error.code, message: error.message };
	}
	throw new Error('expected the call to be refused');
}

const unique = () => randomBytes(4).toString('hex');

describe.each(DIALECTS)('scoring (%s)', (kind) => {
	let t: TestDatabase;
	let app: App;
	let tenantId: string;
	let organisationId: string;
	let admin: Actor;
	let lead: Actor;
	let member: Actor;
	let outsider: Actor;
	let decider: Actor;
	let orgUser: Actor;
	let otherEvaluator: Actor;
	let standardId: string;
	let clauses: Record<'4' | '4.1' | '4.1.1' | '4.2', string>;
	let levels: Record<'five' | 'four' | 'three' | 'pass', string>;
	let otherLevel: string;

	async function newCertificate(gradeLevelId: string) {
		const row = await t.db.inTenant({ tenantId, userId: null }, (tx) =>
			tx
				.insertInto('certificates')
				.values({
					tenant_id: tenantId,
					number: `SC-${unique()}`,
					organisation_id: organisationId,
					standard_id: standardId,
					scope: 'After-sales service',
					grade_level_id: gradeLevelId,
					issued_on: '2026-01-10',
					expires_on: '2029-01-09',
					decided_on: '2026-01-10'
				})
				.returning('id')
				.executeTakeFirstOrThrow()
		);
		return row.id;
	}

	/** A surveillance evaluation of a new certificate, led by `lead` with `member`, started. */
	async function evaluationInProgress(gradeLevelId = levels.five) {
		const certificateId = await newCertificate(gradeLevelId);
		const planned = await planEvaluation(t.db, lead, {
			kind: 'surveillance',
			certificateId,
			windowStart: '2026-11-01',
			windowEnd: '2026-11-05',
			teamIds: [lead.userId, member.userId],
			leadId: lead.userId
		});
		const started = await startEvaluation(t.db, lead, planned.id, planned.version);
		return { id: planned.id, version: started.version, certificateId };
	}

	function newMajor(evaluationId: string, status: 'open' | 'closed', reference: string) {
		return t.db.inTenant({ tenantId, userId: null }, (tx) =>
			tx
				.insertInto('findings')
				.values({
					tenant_id: tenantId,
					evaluation_id: evaluationId,
					reference,
					kind: 'nonconformity',
					grade: 'major',
					statement: 'No service defect disclosure',
					raised_by: lead.userId,
					raised_on: '2026-11-02',
					due_on: '2026-12-02',
					status
				})
				.execute()
		);
	}

	const score = (clauseId: string, value: number | null, previous: number | null = null) => ({
		clauseId,
		score: value,
		previous
	});

	function record(actor: Actor, evaluationId: string, scores: ReturnType<typeof score>[]) {
		return callerFor(app, actor).scoring.record({ evaluationId, scores });
	}

	async function sheetVersion() {
		return (await callerFor(app, admin).scoring.sheet({ id: standardId })).standard.version;
	}

	async function setSheet(
		points: Partial<Record<keyof typeof clauses, number>>,
		cap: { capLevelId?: string | null; capCounts?: 'any' | 'open' } = {}
	) {
		return callerFor(app, admin).scoring.updateSheet({
			standardId,
			version: await sheetVersion(),
			points: Object.entries(clauses).map(([number, clauseId]) => ({
				clauseId,
				points: points[number as keyof typeof clauses] ?? null
			})),
			...cap
		});
	}

	function auditOf(entityId: string, action: string) {
		return t.owner
			.selectFrom('audit_log')
			.select(['action', 'before', 'after', 'actor_user_id'])
			.where('entity_id', '=', entityId)
			.where('action', '=', action)
			.orderBy('seq')
			.execute();
	}

	function storedScores(evaluationId: string) {
		return t.owner
			.selectFrom('evaluation_scores')
			.select(['clause_id', 'score', 'scored_by'])
			.where('evaluation_id', '=', evaluationId)
			.orderBy('clause_id')
			.execute();
	}

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		app = testApp(t);
		tenantId = (await newTenant(t)).id;
		const otherTenantId = (await newTenant(t)).id;
		organisationId = (await newOrganisation(t, tenantId)).id;
		[admin, lead, member, outsider, decider] = await Promise.all([
			newActor(t, tenantId, 'admin'),
			newActor(t, tenantId, 'evaluator'),
			newActor(t, tenantId, 'evaluator'),
			newActor(t, tenantId, 'evaluator'),
			newActor(t, tenantId, 'decision_maker')
		]);
		orgUser = await newActor(t, tenantId, 'org_admin', organisationId);
		otherEvaluator = await newActor(t, otherTenantId, 'evaluator');
		const scale = await createGradeScale(t.db, admin, {
			nameZh: '星级',
			nameEn: 'Stars',
			levels: [
				{ code: '5-star', labelZh: '五星', labelEn: 'Five stars', minScore: 95 },
				{ code: '4-star', labelZh: '四星', labelEn: 'Four stars', minScore: 90 },
				{ code: '3-star', labelZh: '三星', labelEn: 'Three stars', minScore: 80 },
				{ code: 'pass', labelZh: '达标', labelEn: 'Compliant', minScore: 70 }
			]
		});
		const [five, four, three, pass] = scale.levels.map((level) => level.id);
		levels = { five: five!, four: four!, three: three!, pass: pass! };
		const other = await createGradeScale(t.db, admin, {
			nameZh: '其他',
			nameEn: 'Other',
			levels: [{ code: 'A', labelZh: '甲', labelEn: 'A', minScore: 50 }]
		});
		otherLevel = other.levels[0]!.id;
		standardId = (
			await createStandard(t.db, admin, {
				code: `GB/T 27922-${unique()}`,
				titleZh: '商品售后服务评价体系',
				titleEn: 'After-sales service',
				gradeScaleId: scale.id
			})
		).id;
		const ids: Record<string, string> = {};
		for (const number of ['4', '4.1', '4.1.1', '4.2'])
			ids[number] = (
				await addClause(t.db, admin, standardId, {
					number,
					titleZh: `条款 ${number}`,
					titleEn: `Clause ${number}`
				})
			).id;
		clauses = ids as typeof clauses;
		await setSheet({ '4.1': 60, '4.2': 40 });
	});

	afterAll(async () => {
		await t?.drop();
	});

	describe('the scoring sheet (catalogue)', () => {
		it('keeps each clause group’s points and the cap, audited, and moves the version on', async () => {
			const before = await sheetVersion();
			await setSheet({ '4.1': 60, '4.2': 40 }, { capLevelId: levels.three, capCounts: 'open' });
			const sheet = await callerFor(app, admin).scoring.sheet({ id: standardId });
			expect(sheet.standard.version).toBe(before + 1);
			expect(sheet.clauses.map((c) => [c.number, c.points, c.depth])).toEqual([
				['4', null, 0],
				['4.1', 60, 1],
				['4.1.1', null, 2],
				['4.2', 40, 1]
			]);
			expect(sheet.totalPoints).toBe(100);
			expect(sheet.cap).toEqual({ levelId: levels.three, counts: 'open' });
			const [entry] = (await auditOf(standardId, 'standard.scoring_update')).slice(-1);
			expect(entry).toMatchObject({
				before: { points: '4.1: 60, 4.2: 40', cap: null },
				after: { points: '4.1: 60, 4.2: 40', cap: '3-star (open)' },
				actor_user_id: admin.userId
			});
			await setSheet({ '4.1': 60, '4.2': 40 });
		});

		it('refuses nested scored clauses, points out of range, a foreign cap level, a stale form', async () => {
			const version = await sheetVersion();
			const auditBefore = (await auditOf(standardId, 'standard.scoring_update')).length;
			expect(await refusalOf(setSheet({ '4.1': 60, '4.1.1': 10, '4.2': 30 }))).toMatchObject({
				code: 'BAD_REQUEST',
				key: 'scoring_error_points_nested',
				field: `points-${clauses['4.1.1']}`
			});
			expect(await refusalOf(setSheet({ '4.1': 0 }))).toMatchObject({ code: 'BAD_REQUEST' });
			expect(await refusalOf(setSheet({ '4.1': 1001 }))).toMatchObject({ code: 'BAD_REQUEST' });
			expect(await refusalOf(setSheet({ '4.1': 60 }, { capLevelId: otherLevel }))).toMatchObject({
				code: 'BAD_REQUEST',
				key: 'scoring_error_cap_level_invalid'
			});
			expect(
				await refusalOf(
					callerFor(app, admin).scoring.updateSheet({
						standardId,
						version: version - 1,
						points: [{ clauseId: clauses['4.1'], points: 10 }]
					})
				)
			).toMatchObject({ code: 'CONFLICT', key: 'error_stale_version' });
			expect(
				await refusalOf(
					callerFor(app, lead).scoring.updateSheet({ standardId, version, points: [] })
				)
			).toMatchObject({ code: 'FORBIDDEN' });
			expect(await sheetVersion()).toBe(version);
			expect((await auditOf(standardId, 'standard.scoring_update')).length).toBe(auditBefore);
		});
	});

	describe('recording scores', () => {
		it('lets the team score while in progress: a total so far, then the grade', async () => {
			const evaluation = await evaluationInProgress();
			const first = await record(lead, evaluation.id, [score(clauses['4.1'], 57.5)]);
			expect(first.result).toMatchObject({
				total: 57.5,
				complete: false,
				computedLevelId: null
			});
			const second = await record(member, evaluation.id, [score(clauses['4.2'], 38)]);
			expect(second.result).toMatchObject({
				total: 95.5,
				complete: true,
				computedLevelId: levels.five
			});
			expect(await storedScores(evaluation.id)).toEqual(
				expect.arrayContaining([
					{
						clause_id: clauses['4.1'],
						score: expect.stringMatching(/^57\.50?$/),
						scored_by: lead.userId
					},
					{
						clause_id: clauses['4.2'],
						score: expect.stringMatching(/^38(\.00)?$/),
						scored_by: member.userId
					}
				])
			);
			const audit = await auditOf(evaluation.id, 'evaluation.score');
			expect(audit.map((entry) => [entry.before, entry.after])).toEqual([
				[{ score: null }, { clause: '4.1', score: 57.5 }],
				[{ score: null }, { clause: '4.2', score: 38 }]
			]);

			const page = await callerFor(app, member).scoring.evaluation({ evaluationId: evaluation.id });
			expect(page.mayScore).toBe(true);
			expect(
				page.items.map((item) => [item.number, item.points, item.score, item.scoredBy])
			).toEqual([
				['4.1', 60, 57.5, lead.name],
				['4.2', 40, 38, member.name]
			]);

			// Changing one score (from what the form showed) and clearing another.
			const third = await record(lead, evaluation.id, [
				score(clauses['4.1'], 54, 57.5),
				score(clauses['4.2'], null, 38)
			]);
			expect(third).toMatchObject({ changed: 2, result: { total: 54, complete: false } });
			// An unchanged entry writes nothing.
			expect((await record(lead, evaluation.id, [score(clauses['4.1'], 54, 54)])).changed).toBe(0);
			expect((await auditOf(evaluation.id, 'evaluation.score')).length).toBe(4);
		});

		it('refuses a score above the clause’s points, a clause off the sheet, and a stale form', async () => {
			const evaluation = await evaluationInProgress();
			await record(lead, evaluation.id, [score(clauses['4.1'], 50)]);
			expect(
				await refusalOf(record(lead, evaluation.id, [score(clauses['4.2'], 40.5)]))
			).toMatchObject({
				code: 'BAD_REQUEST',
				key: 'scoring_error_score_range',
				field: `score-${clauses['4.2']}`
			});
			expect(await refusalOf(record(lead, evaluation.id, [score(clauses['4'], 1)]))).toMatchObject({
				code: 'BAD_REQUEST',
				key: 'scoring_error_clause_unknown'
			});
			expect(
				await refusalOf(record(lead, evaluation.id, [score(clauses['4.2'], 1.234)]))
			).toMatchObject({
				code: 'BAD_REQUEST'
			});
			// A teammate changed 4.1 meanwhile: this form still shows no score there.
			expect(
				await refusalOf(
					record(member, evaluation.id, [score(clauses['4.2'], 30), score(clauses['4.1'], 40)])
				)
			).toMatchObject({ code: 'CONFLICT', key: 'error_stale_version' });
			expect(await storedScores(evaluation.id)).toHaveLength(1);
			expect((await auditOf(evaluation.id, 'evaluation.score')).length).toBe(1);
		});

		it('refuses everyone but the team, and the team outside “in progress”', async () => {
			const evaluation = await evaluationInProgress();
			const entry = [score(clauses['4.1'], 50)];
			for (const [actor, code] of [
				[outsider, 'FORBIDDEN'],
				[admin, 'FORBIDDEN'],
				[decider, 'FORBIDDEN'],
				[orgUser, 'FORBIDDEN']
			] as const)
				expect(await refusalOf(record(actor, evaluation.id, entry))).toMatchObject({ code });
			// Another tenant's evaluator: the evaluation does not exist for them.
			expect(await refusalOf(record(otherEvaluator, evaluation.id, entry))).toMatchObject({
				code: 'NOT_FOUND'
			});
			expect(
				await refusalOf(
					callerFor(app, otherEvaluator).scoring.evaluation({ evaluationId: evaluation.id })
				)
			).toMatchObject({ code: 'NOT_FOUND' });
			expect(
				await refusalOf(callerFor(app, orgUser).scoring.evaluation({ evaluationId: evaluation.id }))
			).toMatchObject({ code: 'FORBIDDEN' });

			const issued = await issueEvaluationReport(t.db, lead, evaluation.id, evaluation.version);
			expect(issued.status).toBe('report_issued');
			expect(await refusalOf(record(lead, evaluation.id, entry))).toMatchObject({
				code: 'CONFLICT',
				key: 'scoring_error_not_in_progress'
			});
			const planned = await planEvaluation(t.db, lead, {
				kind: 'surveillance',
				certificateId: evaluation.certificateId,
				windowStart: '2026-12-01',
				windowEnd: '2026-12-02',
				teamIds: [lead.userId],
				leadId: lead.userId
			});
			expect(await refusalOf(record(lead, planned.id, entry))).toMatchObject({
				code: 'CONFLICT',
				key: 'scoring_error_not_in_progress'
			});
			expect(await storedScores(evaluation.id)).toEqual([]);
			expect(await auditOf(evaluation.id, 'evaluation.score')).toEqual([]);
		});

		it('keeps scores inside their tenant in the database itself (row-level security)', async () => {
			const evaluation = await evaluationInProgress();
			await record(lead, evaluation.id, [score(clauses['4.1'], 50)]);
			const other = { tenantId: otherEvaluator.tenantId, userId: otherEvaluator.userId };
			const seen = await t.db.inTenant(other, (tx) =>
				tx.selectFrom('evaluation_scores').select('clause_id').execute()
			);
			expect(seen).toEqual([]);
			const updated = await t.db.inTenant(other, (tx) =>
				tx
					.updateTable('evaluation_scores')
					.set({ score: '0' })
					.where('evaluation_id', '=', evaluation.id)
					.executeTakeFirst()
			);
			expect(Number(updated.numUpdatedRows)).toBe(0);
			// Writing a row into another tenant is refused by the policy (or its foreign keys).
			await expect(
				t.db.inTenant(other, (tx) =>
					sql`insert into evaluation_scores (tenant_id, evaluation_id, clause_id, score, scored_by)
					    values (${tenantId}, ${evaluation.id}, ${clauses['4.2']}, 1, ${otherEvaluator.userId})`.execute(
						tx
					)
				)
			).rejects.toThrow();
			expect(await storedScores(evaluation.id)).toHaveLength(1);
		});

		it('previews a total and grade without saving', async () => {
			const evaluation = await evaluationInProgress();
			const preview = await callerFor(app, member).scoring.preview({
				evaluationId: evaluation.id,
				scores: [
					{ clauseId: clauses['4.1'], score: 55 },
					{ clauseId: clauses['4.2'], score: 36 }
				]
			});
			expect(preview).toMatchObject({ total: 91, complete: true, computedLevelId: levels.four });
			expect(await storedScores(evaluation.id)).toEqual([]);
		});
	});

	describe('the proposal', () => {
		it('maintains when the score gives the current grade, else regrades to it', async () => {
			const kept = await evaluationInProgress(levels.five);
			await record(lead, kept.id, [score(clauses['4.1'], 58), score(clauses['4.2'], 39)]);
			expect(await gradeProposal(t.db, decider, kept.id)).toMatchObject({
				total: 97,
				complete: true,
				computedLevelId: levels.five,
				currentLevelId: levels.five,
				cappedBy: null,
				proposal: { kind: 'maintain', levelId: levels.five }
			});

			const lowered = await evaluationInProgress(levels.five);
			await record(lead, lowered.id, [score(clauses['4.1'], 54), score(clauses['4.2'], 36)]);
			const proposal = await callerFor(app, decider).scoring.proposal({ evaluationId: lowered.id });
			expect(proposal).toMatchObject({
				total: 90,
				computedLevelId: levels.four,
				proposal: { kind: 'regrade', levelId: levels.four }
			});
			expect(proposal!.levels.map((level) => level.code)).toEqual([
				'5-star',
				'4-star',
				'3-star',
				'pass'
			]);
		});

		it('is capped by a major nonconformity as the scheme says, and says nothing while incomplete', async () => {
			const evaluation = await evaluationInProgress(levels.five);
			await record(lead, evaluation.id, [score(clauses['4.1'], 60)]);
			expect((await gradeProposal(t.db, decider, evaluation.id))?.proposal).toEqual({
				kind: 'incomplete'
			});
			await record(lead, evaluation.id, [score(clauses['4.2'], 40)]);
			await newMajor(evaluation.id, 'closed', `NC-${unique()}`);

			await setSheet({ '4.1': 60, '4.2': 40 }, { capLevelId: levels.three, capCounts: 'open' });
			expect(await gradeProposal(t.db, decider, evaluation.id)).toMatchObject({
				computedLevelId: levels.five,
				proposal: { kind: 'maintain' }
			});
			await setSheet({ '4.1': 60, '4.2': 40 }, { capLevelId: levels.three, capCounts: 'any' });
			const capped = await gradeProposal(t.db, decider, evaluation.id);
			expect(capped).toMatchObject({
				total: 100,
				scoredLevelId: levels.five,
				computedLevelId: levels.three,
				cappedBy: { levelId: levels.three },
				proposal: { kind: 'regrade', levelId: levels.three }
			});
			await setSheet({ '4.1': 60, '4.2': 40 });
		});

		it('comes with each evaluation the decision page offers', async () => {
			const evaluation = await evaluationInProgress(levels.five);
			await record(lead, evaluation.id, [score(clauses['4.1'], 50), score(clauses['4.2'], 35)]);
			await issueEvaluationReport(t.db, lead, evaluation.id, evaluation.version);
			const options = await getDecisionOptions(t.db, decider, evaluation.certificateId);
			const offered = options.evaluations.find((e) => e.id === evaluation.id);
			expect(offered?.gradeProposal).toMatchObject({
				total: 85,
				computedLevelId: levels.three,
				proposal: { kind: 'regrade', levelId: levels.three }
			});

			// The decision maker overrides it (maintains), with a reason; the audit entry says so.
			await callerFor(app, decider).decisions.take({
				certificateId: evaluation.certificateId,
				version: options.certificate.version,
				evaluationId: evaluation.id,
				kind: 'maintain',
				reason: 'The clause scores understate the corrective actions already verified.'
			});
			const [entry] = await auditOf(evaluation.certificateId, 'decision.maintain');
			expect(entry!.after).toMatchObject({
				gradeProposal: 'regrade 3-star',
				followsProposal: false
			});
		});

		it('records a decision that confirms the proposal as following it', async () => {
			const evaluation = await evaluationInProgress(levels.five);
			await record(lead, evaluation.id, [score(clauses['4.1'], 54), score(clauses['4.2'], 37)]);
			await issueEvaluationReport(t.db, lead, evaluation.id, evaluation.version);
			await callerFor(app, decider).decisions.take({
				certificateId: evaluation.certificateId,
				version: 1,
				evaluationId: evaluation.id,
				kind: 'regrade',
				newGradeLevelId: levels.four,
				reason: 'Surveillance score 91: four stars.'
			});
			const [entry] = await auditOf(evaluation.certificateId, 'decision.regrade');
			expect(entry!.after).toMatchObject({
				grade: '4-star',
				gradeProposal: 'regrade 4-star',
				followsProposal: true
			});
		});
	});
});
