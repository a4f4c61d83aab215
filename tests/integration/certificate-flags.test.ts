import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import {
	newCertificate,
	newFinding,
	newWorkflowWorld,
	type WorkflowWorld
} from '../support/workflow-factories';
import { sweepTenant } from '../../jobs/chase-tenant/sweep';
import { addDays } from '../../src/lib/server/domain/calendar';
import { standingFlags } from '../../src/lib/server/domain/certificate-flags';
import {
	getCertificateFlags,
	listFlaggedCertificates
} from '../../src/lib/server/services/certificate-flags';
import { Refusal } from '../../src/lib/server/errors';

/*
 * The certificate flags of issue 7 §2 as the body reads them: the sweep raises "suspension due"
 * (an overdue major) and "withdrawal proposed" (a suspension older than max_suspension_months);
 * the dashboard lists them for admins and decision makers, the certificate and decide pages
 * explain them with the finding that caused them, and a flag the status has overtaken no
 * longer stands.
 */

/** Noon in Shanghai on `day`. */
const at = (day: string) => new Date(`${day}T04:00:00Z`);

describe('standing flags (domain)', () => {
	it('keeps a flag only while the status it calls a decision on lasts', () => {
		const flagged = { suspensionDueBy: '2027-01-26', withdrawalProposedOn: '2027-01-10' };
		expect(standingFlags({ status: 'active', ...flagged }, '2027-01-26')).toEqual({
			suspensionDue: { by: '2027-01-26', late: false },
			withdrawalProposed: null
		});
		expect(standingFlags({ status: 'active', ...flagged }, '2027-01-27').suspensionDue).toEqual({
			by: '2027-01-26',
			late: true
		});
		expect(standingFlags({ status: 'suspended', ...flagged }, '2027-01-27')).toEqual({
			suspensionDue: null,
			withdrawalProposed: { on: '2027-01-10' }
		});
		expect(standingFlags({ status: 'withdrawn', ...flagged }, '2027-01-27')).toEqual({
			suspensionDue: null,
			withdrawalProposed: null
		});
	});
});

for (const kind of DIALECTS) {
	describe(`certificate flags (${kind})`, () => {
		let t: TestDatabase;
		let world: WorkflowWorld;
		const due = '2027-01-20';
		let findingId: string;
		let suspendedId: string;
		// The finding that raised the flag, with the evaluation it came from (the world's, of 2026-11-01).
		const cause = () => ({
			id: findingId,
			reference: 'NC-MAJOR-LATE',
			evaluationKind: 'surveillance',
			evaluationDate: '2026-11-01',
			dueOn: due,
			closed: false
		});

		beforeAll(async () => {
			t = await createTestDatabase(kind);
			world = await newWorkflowWorld(t);
			await t.owner
				.updateTable('certificates')
				.set({ decided_on: '2026-11-20', issued_on: '2026-11-20', expires_on: '2029-11-19' })
				.where('id', '=', world.certificateId)
				.execute();
			const finding = await newFinding(t, world, {
				reference: 'NC-MAJOR-LATE',
				grade: 'major',
				dueOn: due,
				raisedOn: '2026-12-01'
			});
			findingId = finding.id;
			suspendedId = await newCertificate(t, world, { status: 'suspended' });
			await t.owner
				.insertInto('certificate_history')
				.values({
					tenant_id: world.tenantId,
					certificate_id: suspendedId,
					change: 'status',
					from_status: 'active',
					to_status: 'suspended',
					effective_on: '2026-07-21'
				})
				.execute();
			// Before the first late day nothing is flagged; on it, the overdue major raises the flag.
			await sweepTenant(t.db, world.tenantId, at(due));
			expect(
				await listFlaggedCertificates(t.db, world.admin, at(due)).then((rows) =>
					rows.map((row) => row.id)
				)
			).toEqual([]);
			await sweepTenant(t.db, world.tenantId, at(addDays(due, 1)));
		});
		afterAll(() => t?.drop());

		it('lists both flags on the dashboard for admins and decision makers, most urgent first', async () => {
			for (const actor of [world.admin, world.decider]) {
				const rows = await listFlaggedCertificates(t.db, actor, at(addDays(due, 1)));
				expect(rows.map((row) => row.id)).toEqual([suspendedId, world.certificateId]);
				const suspension = rows.find((row) => row.id === world.certificateId)!;
				expect(suspension.flags).toEqual({
					suspensionDue: { by: addDays(due, 6), late: false },
					withdrawalProposed: null
				});
				expect(suspension.causes).toEqual([cause()]);
				const withdrawal = rows.find((row) => row.id === suspendedId)!;
				expect(withdrawal.flags).toEqual({
					suspensionDue: null,
					withdrawalProposed: { on: '2027-01-21' }
				});
			}
		});

		it('refuses the flags to evaluators and organisation users', async () => {
			for (const actor of [world.evaluator, world.orgUser])
				expect(() => listFlaggedCertificates(t.db, actor)).toThrow(Refusal);
		});

		it('explains the suspension due with the finding that caused it, late once the date passed', async () => {
			const flags = await getCertificateFlags(
				t.db,
				world.decider,
				world.certificateId,
				at(addDays(due, 7))
			);
			expect(flags).toEqual({
				flags: { suspensionDue: { by: addDays(due, 6), late: true }, withdrawalProposed: null },
				causes: [cause()],
				suspendWithinDays: 5,
				maxSuspensionMonths: 6,
				suspendedSince: null
			});
		});

		it('explains the withdrawal proposal with the suspension it counts from', async () => {
			const flags = await getCertificateFlags(t.db, world.admin, suspendedId, at(addDays(due, 1)));
			expect(flags).toMatchObject({
				flags: { suspensionDue: null, withdrawalProposed: { on: '2027-01-21' } },
				causes: [],
				maxSuspensionMonths: 6,
				suspendedSince: '2026-07-21'
			});
		});

		it('drops a flag the status has overtaken: suspended, the suspension is no longer due', async () => {
			await t.owner
				.updateTable('certificates')
				.set({ status: 'suspended' })
				.where('id', '=', world.certificateId)
				.execute();
			expect(
				await getCertificateFlags(t.db, world.admin, world.certificateId, at(addDays(due, 2)))
			).toBeNull();
			const rows = await listFlaggedCertificates(t.db, world.admin, at(addDays(due, 2)));
			expect(rows.map((row) => row.id)).toEqual([suspendedId]);
			await t.owner
				.updateTable('certificates')
				.set({ status: 'active' })
				.where('id', '=', world.certificateId)
				.execute();
		});
	});
}
