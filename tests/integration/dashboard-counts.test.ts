import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { newActor, newOrganisation, newTenant } from '../support/factories';
import { newFinding } from '../support/evidence-factories';
import { dashboardSummary } from '../../src/lib/server/services/dashboard';
import type { Actor } from '../../src/lib/server/actor';
import type { EvaluationStatus } from '../../db/schema';

/*
 * Issue 8 item 18: the organisation dashboard counted findings of evaluations whose report is not
 * issued, which the organisation's finding pages answer "not found". The counts follow the same
 * rule (services/finding-access.ts); the body's staff still count every finding.
 */
describe.each(DIALECTS)('dashboard finding counts (%s)', (kind) => {
	let t: TestDatabase;
	let orgAdmin: Actor;
	let orgMember: Actor;
	let admin: Actor;
	const NOW = new Date('2026-12-01T04:00:00Z');
	const ISSUED: EvaluationStatus[] = ['report_issued', 'closed'];
	const UNISSUED: EvaluationStatus[] = ['planned', 'in_progress'];

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		const tenant = await newTenant(t);
		const organisation = await newOrganisation(t, tenant.id);
		admin = await newActor(t, tenant.id, 'admin');
		const evaluator = await newActor(t, tenant.id, 'evaluator');
		orgAdmin = await newActor(t, tenant.id, 'org_admin', organisation.id);
		orgMember = await newActor(t, tenant.id, 'org_member', organisation.id);
		// One open minor nonconformity (due 2026-08-31, so overdue on NOW) per evaluation status.
		for (const evaluationStatus of [...ISSUED, ...UNISSUED])
			await newFinding(t, tenant.id, organisation.id, evaluator.userId, { evaluationStatus });
	});

	afterAll(async () => {
		await t?.drop();
	});

	it('an organisation counts only findings of issued reports', async () => {
		for (const actor of [orgAdmin, orgMember]) {
			const summary = await dashboardSummary(t.db, actor, NOW);
			expect(summary).toMatchObject({
				openFindings: ISSUED.length,
				overdueFindings: ISSUED.length,
				openMajors: 0
			});
		}
	});

	it("the body's staff count every finding, issued or not", async () => {
		const summary = await dashboardSummary(t.db, admin, NOW);
		expect(summary).toMatchObject({
			openFindings: ISSUED.length + UNISSUED.length,
			overdueFindings: ISSUED.length + UNISSUED.length
		});
	});
});
