import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { newActor, newOrganisation, newTenant } from '../support/factories';
import { startWireCounter, type WireCounter } from '../support/wire-counter';
import { connectPostgres, type DatabaseConnection } from '../../src/lib/server/db/connection';
import { AppDatabase } from '../../src/lib/server/db/tenant-scope';
import { createStandard } from '../../src/lib/server/services/standards';
import { addClause } from '../../src/lib/server/services/clauses';
import { createGradeScale } from '../../src/lib/server/services/grade-scales';
import {
	issueEvaluationReport,
	planEvaluation,
	startEvaluation
} from '../../src/lib/server/services/evaluations';
import { getDecisionOptions, takeDecision } from '../../src/lib/server/services/decisions';
import {
	gradeProposal,
	recordScores,
	updateScoringSheet
} from '../../src/lib/server/services/scoring';
import type { Actor } from '../../src/lib/server/actor';

/*
 * The decision page's load (getDecisionOptions) reads what each evaluation it offers has renewed
 * and what its scores propose in a fixed number of statements: a certificate with four
 * evaluations costs PostgreSQL as many statements as one with a single evaluation (counted on the
 * wire, binds and simple queries), and each proposal is the one the single-evaluation read gives
 * — scores, the major-nonconformity cap, "no scores yet" and the renewed recertification alike.
 */

const unique = () => randomBytes(4).toString('hex');

describe.each(DIALECTS)('decision options: batched reads (%s)', (kind) => {
	let t: TestDatabase;
	let tenantId: string;
	let organisationId: string;
	let standardId: string;
	let admin: Actor;
	let lead: Actor;
	let decider: Actor;
	let clauses: { a: string; b: string };
	let levels: Record<'five' | 'four' | 'three' | 'pass', string>;
	/** A certificate followed by one scored recertification. */
	let single: { certificateId: string; evaluationId: string };
	/** A certificate followed by four evaluations, each proposing something else. */
	let many: {
		certificateId: string;
		regraded: string;
		capped: string;
		renewed: string;
		unscored: string;
	};

	async function newCertificate() {
		const row = await t.db.inTenant({ tenantId, userId: null }, (tx) =>
			tx
				.insertInto('certificates')
				.values({
					tenant_id: tenantId,
					number: `DO-${unique()}`,
					organisation_id: organisationId,
					standard_id: standardId,
					scope: 'After-sales service',
					grade_level_id: levels.five,
					issued_on: '2026-01-10',
					expires_on: '2029-01-09',
					decided_on: '2026-01-10'
				})
				.returning('id')
				.executeTakeFirstOrThrow()
		);
		return row.id;
	}

	/** An evaluation of the certificate, scored by its lead as given, its report issued. */
	async function scoredEvaluation(
		certificateId: string,
		evaluationKind: 'surveillance' | 'recertification',
		scores: { a?: number; b?: number },
		major?: 'open' | 'closed'
	) {
		const planned = await planEvaluation(t.db, lead, {
			kind: evaluationKind,
			certificateId,
			windowStart: '2026-11-01',
			windowEnd: '2026-11-05',
			teamIds: [lead.userId],
			leadId: lead.userId
		});
		const started = await startEvaluation(t.db, lead, planned.id, planned.version);
		const given = (['a', 'b'] as const).flatMap((key) =>
			scores[key] === undefined
				? []
				: [{ clauseId: clauses[key], score: scores[key], previous: null }]
		);
		if (given.length > 0)
			await recordScores(t.db, lead, { evaluationId: planned.id, scores: given });
		if (major)
			await t.db.inTenant({ tenantId, userId: null }, (tx) =>
				tx
					.insertInto('findings')
					.values({
						tenant_id: tenantId,
						evaluation_id: planned.id,
						reference: `NC-${unique()}`,
						kind: 'nonconformity',
						grade: 'major',
						statement: 'No service defect disclosure',
						raised_by: lead.userId,
						raised_on: '2026-11-02',
						due_on: '2026-12-02',
						status: major
					})
					.execute()
			);
		await issueEvaluationReport(t.db, lead, planned.id, started.version);
		return planned.id;
	}

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		tenantId = (await newTenant(t)).id;
		organisationId = (await newOrganisation(t, tenantId)).id;
		[admin, lead, decider] = await Promise.all([
			newActor(t, tenantId, 'admin'),
			newActor(t, tenantId, 'evaluator'),
			newActor(t, tenantId, 'decision_maker')
		]);
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
		const standard = await createStandard(t.db, admin, {
			code: `GB/T 27922-${unique()}`,
			titleZh: '商品售后服务评价体系',
			titleEn: 'After-sales service',
			gradeScaleId: scale.id
		});
		standardId = standard.id;
		await addClause(t.db, admin, standardId, {
			number: '4',
			titleZh: '条款 4',
			titleEn: 'Clause 4'
		});
		const a = await addClause(t.db, admin, standardId, {
			number: '4.1',
			titleZh: '条款 4.1',
			titleEn: 'Clause 4.1'
		});
		const b = await addClause(t.db, admin, standardId, {
			number: '4.2',
			titleZh: '条款 4.2',
			titleEn: 'Clause 4.2'
		});
		clauses = { a: a.id, b: b.id };
		// Any major nonconformity caps the grade at three stars.
		await updateScoringSheet(t.db, admin, {
			standardId,
			version: standard.version,
			points: [
				{ clauseId: a.id, points: 60 },
				{ clauseId: b.id, points: 40 }
			],
			capLevelId: levels.three,
			capCounts: 'any'
		});

		const alone = await newCertificate();
		single = {
			certificateId: alone,
			evaluationId: await scoredEvaluation(alone, 'recertification', { a: 58, b: 39 })
		};

		const certificateId = await newCertificate();
		many = {
			certificateId,
			regraded: await scoredEvaluation(certificateId, 'surveillance', { a: 54, b: 36 }),
			capped: await scoredEvaluation(certificateId, 'recertification', { a: 60, b: 40 }, 'closed'),
			renewed: await scoredEvaluation(certificateId, 'recertification', { a: 58, b: 39 }),
			unscored: await scoredEvaluation(certificateId, 'surveillance', {})
		};
		await takeDecision(t.db, decider, {
			certificateId,
			version: 1,
			evaluationId: many.renewed,
			kind: 'renew',
			reason: '再认证评价结论：符合要求'
		});
	});

	afterAll(async () => {
		await t?.drop();
	});

	it('offers each evaluation the proposal its own read gives, and which one renewed', async () => {
		const options = await getDecisionOptions(t.db, decider, many.certificateId);
		const offered = new Map(options.evaluations.map((evaluation) => [evaluation.id, evaluation]));
		expect([...offered.keys()].sort()).toEqual(
			[many.regraded, many.capped, many.renewed, many.unscored].sort()
		);
		for (const [id, evaluation] of offered)
			expect(evaluation.gradeProposal).toEqual(await gradeProposal(t.db, decider, id));

		expect(offered.get(many.regraded)).toMatchObject({
			renewed: false,
			gradeProposal: {
				total: 90,
				computedLevelId: levels.four,
				currentLevelId: levels.five,
				proposal: { kind: 'regrade', levelId: levels.four }
			}
		});
		expect(offered.get(many.capped)).toMatchObject({
			kind: 'recertification',
			renewed: false,
			gradeProposal: {
				total: 100,
				scoredLevelId: levels.five,
				computedLevelId: levels.three,
				cappedBy: { levelId: levels.three },
				proposal: { kind: 'regrade', levelId: levels.three }
			}
		});
		expect(offered.get(many.renewed)).toMatchObject({
			kind: 'recertification',
			renewed: true,
			gradeProposal: { total: 97, proposal: { kind: 'maintain', levelId: levels.five } }
		});
		expect(offered.get(many.unscored)).toMatchObject({
			renewed: false,
			gradeProposal: { scored: 0, complete: false, proposal: { kind: 'incomplete' } }
		});

		const alone = await getDecisionOptions(t.db, decider, single.certificateId);
		expect(alone.evaluations).toHaveLength(1);
		expect(alone.evaluations[0]).toMatchObject({ id: single.evaluationId, renewed: false });
		expect(alone.evaluations[0]!.gradeProposal).toEqual(
			await gradeProposal(t.db, decider, single.evaluationId)
		);
	});

	it('refuses a second renewal after the same recertification', async () => {
		const options = await getDecisionOptions(t.db, decider, many.certificateId);
		await expect(
			takeDecision(t.db, decider, {
				certificateId: many.certificateId,
				version: options.certificate.version,
				evaluationId: many.renewed,
				kind: 'renew',
				reason: 'Once more'
			})
		).rejects.toMatchObject({ kind: 'CONFLICT', messageKey: 'renewal_already_renewed' });
	});

	describe.runIf(kind === 'postgres')('statements on the wire', () => {
		let wire: WireCounter;
		let connection: DatabaseConnection;
		let db: AppDatabase;

		beforeAll(async () => {
			wire = await startWireCounter();
			connection = connectPostgres(wire.url(t.appUrl!));
			db = new AppDatabase(connection);
		});

		afterAll(async () => {
			await connection?.close();
			await wire?.close();
		});

		/** What one load of the decision page's options sends, once its statements are prepared. */
		async function measure(certificateId: string) {
			await getDecisionOptions(db, decider, certificateId);
			wire.reset();
			const options = await getDecisionOptions(db, decider, certificateId);
			const counts = wire.counts();
			return { options, statements: counts.binds + counts.queries, roundTrips: counts.roundTrips };
		}

		it('sends as many statements for four evaluations as for one', async () => {
			const one = await measure(single.certificateId);
			const four = await measure(many.certificateId);
			expect(one.options.evaluations).toHaveLength(1);
			expect(four.options.evaluations).toHaveLength(4);
			expect(four.options.evaluations.filter((e) => e.renewed)).toHaveLength(1);
			expect(one.statements).toBeGreaterThan(0);
			expect(four.statements).toBe(one.statements);
			expect(four.roundTrips).toBe(one.roundTrips);
		});
	});
});
