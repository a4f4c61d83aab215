import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { newActor, newOrganisation, newTenant } from '../support/factories';
import { newCertificate, newStandard } from '../support/evaluations-factories';
import * as findingReferences from '../../db/migrations/2026-12-03-02-finding-references';
import { planEvaluation, startEvaluation } from '../../src/lib/server/services/evaluations';
import { raiseFinding } from '../../src/lib/server/services/findings';
import type { Actor } from '../../src/lib/server/actor';
import type { EvaluationKind } from '../../db/schema';

/*
 * Issue 10 defect 10: a finding's reference names its evaluation (2026-S1-NC-1), so two
 * evaluations of one organisation never both show "NC-1" — also when their first findings are
 * recorded at the same moment (PostgreSQL runs them in parallel connections; PGlite has one) —
 * and the migration gives the rows it finds the same scheme.
 */

describe.each(DIALECTS)('finding references (%s)', (kind) => {
	let t: TestDatabase;
	let tenantId: string;
	let lead: Actor;

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		tenantId = (await newTenant(t)).id;
		lead = await newActor(t, tenantId, 'evaluator');
	}, 120_000);

	afterAll(async () => {
		await t?.drop();
	});

	/** An organisation certified against a new standard: one certification cycle. */
	async function newCycle() {
		const organisation = await newOrganisation(t, tenantId);
		const standard = await newStandard(t, tenantId);
		const certificate = await newCertificate(t, tenantId, organisation.id, standard.id);
		return {
			organisationId: organisation.id,
			standardId: standard.id,
			certificateId: certificate.id
		};
	}

	async function startedEvaluation(
		certificateId: string,
		windowStart: string,
		evaluationKind: Exclude<EvaluationKind, 'initial'> = 'surveillance'
	) {
		const planned = await planEvaluation(t.db, lead, {
			kind: evaluationKind,
			certificateId,
			windowStart,
			windowEnd: windowStart,
			teamIds: [lead.userId],
			leadId: lead.userId
		});
		await startEvaluation(t.db, lead, planned.id, planned.version);
		return planned.id;
	}

	const nonconformity = (statement: string) => ({
		kind: 'nonconformity' as const,
		grade: 'minor' as const,
		statement
	});

	const evaluationReference = async (id: string) =>
		(
			await t.owner
				.selectFrom('evaluations')
				.select('reference')
				.where('id', '=', id)
				.executeTakeFirstOrThrow()
		).reference;

	it('differ across two evaluations of the same organisation, and say which one', async () => {
		const cycle = await newCycle();
		const first = await startedEvaluation(cycle.certificateId, '2026-03-02');
		const second = await startedEvaluation(cycle.certificateId, '2026-11-16');
		const special = await startedEvaluation(cycle.certificateId, '2026-07-01', 'special');
		expect(await evaluationReference(first)).toBeNull();

		const a = await raiseFinding(t.db, lead, first, nonconformity('A'));
		const b = await raiseFinding(t.db, lead, second, nonconformity('B'));
		const c = await raiseFinding(t.db, lead, special, nonconformity('C'));
		const d = await raiseFinding(t.db, lead, first, {
			kind: 'observation',
			statement: 'D'
		});
		expect([a.reference, b.reference, c.reference, d.reference]).toEqual([
			'2026-S1-NC-1',
			'2026-S2-NC-1',
			'2026-SP1-NC-1',
			'2026-S1-OBS-1'
		]);
		expect(await evaluationReference(first)).toBe('2026-S1');

		// Another organisation's first surveillance counts on its own.
		const other = await newCycle();
		const elsewhere = await startedEvaluation(other.certificateId, '2026-03-02');
		expect((await raiseFinding(t.db, lead, elsewhere, nonconformity('E'))).reference).toBe(
			'2026-S1-NC-1'
		);
	});

	it('are unique when findings of several evaluations are recorded in parallel', async () => {
		const cycle = await newCycle();
		const evaluations: string[] = [];
		for (const month of ['02', '05', '08', '11'])
			evaluations.push(await startedEvaluation(cycle.certificateId, `2027-${month}-01`));
		// Every evaluation's first findings at once: each must get a reference of its own.
		const raised = await Promise.all(
			Array.from({ length: 16 }, (_, i) =>
				raiseFinding(t.db, lead, evaluations[i % 4]!, nonconformity(`parallel ${i}`))
			)
		);
		const references = raised.map((finding) => finding.reference);
		expect(new Set(references).size).toBe(16);
		const labels = await Promise.all(evaluations.map(evaluationReference));
		expect([...labels].sort()).toEqual(['2027-S1', '2027-S2', '2027-S3', '2027-S4']);
		for (const [index, id] of evaluations.entries()) {
			const own = raised.filter((finding) => finding.evaluation_id === id);
			expect(own.map((finding) => finding.reference).sort()).toEqual(
				[1, 2, 3, 4].map((n) => `${labels[index]}-NC-${n}`).sort()
			);
		}
	});

	it('are kept unique by the database: one organisation and standard, one evaluation reference', async () => {
		const cycle = await newCycle();
		const first = await startedEvaluation(cycle.certificateId, '2028-02-01');
		const second = await startedEvaluation(cycle.certificateId, '2028-08-01');
		await raiseFinding(t.db, lead, first, nonconformity('first'));
		await expect(
			t.owner
				.updateTable('evaluations')
				.set({ reference: await evaluationReference(first) })
				.where('id', '=', second)
				.execute()
		).rejects.toThrow(/evaluations_reference_key/);
	});
});

describe.each(DIALECTS)('the references migration (%s)', (kind) => {
	let t: TestDatabase;

	beforeAll(async () => {
		t = await createTestDatabase(kind);
	}, 120_000);

	afterAll(async () => {
		await t?.drop();
	});

	it('gives the findings already there their evaluation’s reference, counted per cycle', async () => {
		const tenantId = (await newTenant(t)).id;
		const person = await newActor(t, tenantId, 'evaluator');
		const organisation = await newOrganisation(t, tenantId);
		const standard = await newStandard(t, tenantId);
		const certificate = await newCertificate(t, tenantId, organisation.id, standard.id);
		await findingReferences.down(t.owner);
		// As the rows stood before: NC-1 on every evaluation. A recertification starts a new cycle.
		const plans: [EvaluationKind, string][] = [
			['initial', '2025-01-06'],
			['surveillance', '2025-12-01'],
			['surveillance', '2026-11-16'],
			['special', '2026-12-01'],
			['recertification', '2027-12-01'],
			['surveillance', '2028-11-20']
		];
		for (const [evaluationKind, windowStart] of plans) {
			const evaluation = await sql<{ id: string }>`
				insert into evaluations (tenant_id, kind, certificate_id, organisation_id, standard_id, window_start, window_end)
				values (${tenantId}, ${evaluationKind}, ${evaluationKind === 'initial' ? null : certificate.id},
				  ${organisation.id}, ${standard.id}, ${windowStart}, ${windowStart})
				returning id`.execute(t.owner);
			await sql`
				insert into findings (tenant_id, evaluation_id, reference, kind, grade, statement, raised_by, raised_on, due_on)
				values (${tenantId}, ${evaluation.rows[0]!.id}, 'NC-1', 'nonconformity', 'minor', 'x',
				  ${person.userId}, ${windowStart}, ${windowStart})`.execute(t.owner);
		}
		await findingReferences.up(t.owner);
		const rows = await t.owner
			.selectFrom('findings')
			.innerJoin('evaluations', 'evaluations.id', 'findings.evaluation_id')
			.select(['findings.reference', 'evaluations.reference as evaluation'])
			.where('findings.tenant_id', '=', tenantId)
			.orderBy('evaluations.window_start')
			.execute();
		expect(rows.map((row) => row.reference)).toEqual([
			'2025-IA1-NC-1',
			'2025-S1-NC-1',
			'2026-S2-NC-1',
			'2026-SP1-NC-1',
			'2027-R1-NC-1',
			'2028-S1-NC-1'
		]);
		expect(rows.map((row) => row.evaluation)).toEqual([
			'2025-IA1',
			'2025-S1',
			'2026-S2',
			'2026-SP1',
			'2027-R1',
			'2028-S1'
		]);
	});
});
