import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { callerFor, testApp } from '../support/factories';
import {
	auditOf,
	newCertificate,
	newEvaluation,
	newWorkflowWorld,
	type WorkflowWorld
} from '../support/workflow-factories';
import { refusalOf } from '../support/refusals';
import { todayInZone } from '../../src/lib/server/domain/calendar';
import type { App } from '../../src/lib/server/app';

/*
 * Correcting a renewed certificate (issue 12 item 3): the renewal's decision date and expiry,
 * and the first cycle's issue date, stay what the decisions made them. The correction form
 * still fixes the number and the scope's wording; a changed date is refused at its field and
 * changes nothing. Before any renewal, the dates are corrected and the expiry follows them.
 */

describe.each(DIALECTS)('correcting a renewed certificate (%s)', (dialect) => {
	let t: TestDatabase;
	let app: App;
	let world: WorkflowWorld;
	let today: string;

	const row = (id: string) =>
		t.owner.selectFrom('certificates').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

	async function renewed() {
		const certificateId = await newCertificate(t, world);
		const evaluationId = await newEvaluation(
			t,
			{ ...world, certificateId },
			{ kind: 'recertification' }
		);
		await callerFor(app, world.decider).decisions.take({
			certificateId,
			version: 1,
			evaluationId,
			kind: 'renew',
			reason: 'Recertified.'
		});
		return row(certificateId);
	}

	beforeAll(async () => {
		t = await createTestDatabase(dialect);
		app = testApp(t);
		world = await newWorkflowWorld(t);
		today = todayInZone(new Date(), world.admin.tenant.timeZone);
	});

	afterAll(async () => {
		await t?.drop();
	});

	it('fixes the number and scope, keeping the renewal’s dates and expiry', async () => {
		const before = await renewed();
		expect(before.decided_on).toBe(today);
		expect(before.expires_on).toBe('2032-01-09');
		await callerFor(app, world.admin).certificates.update({
			id: before.id,
			version: before.version,
			number: `${before.number}-A`,
			scope: 'After-sales service of household appliances and water heaters',
			issuedOn: before.issued_on,
			decidedOn: before.decided_on
		});
		const after = await row(before.id);
		expect(after).toMatchObject({
			number: `${before.number}-A`,
			scope: 'After-sales service of household appliances and water heaters',
			issued_on: '2026-01-10',
			decided_on: today,
			expires_on: '2032-01-09',
			version: before.version + 1
		});
		const audit = await auditOf(t, before.id);
		expect(audit.map((entry) => entry.action)).toContain('certificate.update');
	});

	it('an empty decision date keeps the renewal’s', async () => {
		const before = await renewed();
		await callerFor(app, world.admin).certificates.update({
			id: before.id,
			version: before.version,
			number: before.number,
			scope: `${before.scope}.`,
			issuedOn: before.issued_on,
			decidedOn: ''
		});
		expect(await row(before.id)).toMatchObject({ decided_on: today, expires_on: '2032-01-09' });
	});

	it('refuses a changed issue or decision date at its field, changing nothing', async () => {
		const before = await renewed();
		const caller = callerFor(app, world.admin);
		const base = {
			id: before.id,
			version: before.version,
			number: `${before.number}-B`,
			scope: before.scope,
			issuedOn: before.issued_on,
			decidedOn: before.decided_on
		};
		expect(
			await refusalOf(caller.certificates.update({ ...base, issuedOn: '2026-02-01' }))
		).toEqual({ code: 'BAD_REQUEST', key: 'organisations_error_dates_renewed', field: 'issuedOn' });
		expect(
			await refusalOf(caller.certificates.update({ ...base, decidedOn: '2026-01-10' }))
		).toEqual({
			code: 'BAD_REQUEST',
			key: 'organisations_error_dates_renewed',
			field: 'decidedOn'
		});
		expect(await row(before.id)).toEqual(before);
	});

	it("another tenant's admin cannot correct it: not found, nothing changed", async () => {
		const before = await renewed();
		const other = await newWorkflowWorld(t);
		expect(
			await refusalOf(
				callerFor(app, other.admin).certificates.update({
					id: before.id,
					version: before.version,
					number: `${before.number}-X`,
					scope: before.scope,
					issuedOn: before.issued_on,
					decidedOn: before.decided_on
				})
			)
		).toMatchObject({ code: 'NOT_FOUND' });
		expect(await row(before.id)).toEqual(before);
	});

	it('before a renewal, a corrected issue date moves the expiry', async () => {
		const certificateId = await newCertificate(t, world);
		const before = await row(certificateId);
		await callerFor(app, world.admin).certificates.update({
			id: certificateId,
			version: before.version,
			number: before.number,
			scope: before.scope,
			issuedOn: '2026-01-20',
			decidedOn: '2026-01-15'
		});
		const after = await row(certificateId);
		expect(after).toMatchObject({ issued_on: '2026-01-20', decided_on: '2026-01-15' });
		expect(after.expires_on > before.expires_on).toBe(true);
	});
});
