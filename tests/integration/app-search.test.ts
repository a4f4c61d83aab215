import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { callerFor, newActor, newOrganisation, newTenant, testApp } from '../support/factories';
import { searchApp } from '../../src/lib/server/services/app-search';
import type { Actor } from '../../src/lib/server/actor';
import type { EvaluationStatus } from '../../db/schema';

/*
 * Issue 11 §5: the header's search. Certificates by number, organisations by name or USCC,
 * findings by reference, evaluations by reference; within the tenant, and for an organisation's
 * users within their organisation and the findings they may open.
 */
describe.each(DIALECTS)('search across the app (%s)', (kind) => {
	let t: TestDatabase;
	let admin: Actor;
	let orgUser: Actor;
	let otherAdmin: Actor;
	let uscc: string;
	const ids: Record<string, string> = {};

	async function arrange(tenantId: string, name: string, raisedBy: string, prefix: string) {
		const organisation = await newOrganisation(t, tenantId, name);
		const standard = await t.owner
			.insertInto('standards')
			.values({ tenant_id: tenantId, code: `GB/T 27922-${prefix}`, title_zh: '售后服务' })
			.returning('id')
			.executeTakeFirstOrThrow();
		const certificate = await t.owner
			.insertInto('certificates')
			.values({
				tenant_id: tenantId,
				number: `${prefix}-CERT-0001`,
				organisation_id: organisation.id,
				standard_id: standard.id,
				scope: 'After-sales',
				issued_on: '2026-01-01',
				expires_on: '2028-12-31',
				decided_on: '2026-01-01'
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		const evaluation = async (status: EvaluationStatus, reference: string) =>
			t.owner
				.insertInto('evaluations')
				.values({
					tenant_id: tenantId,
					kind: 'surveillance',
					certificate_id: certificate.id,
					organisation_id: organisation.id,
					standard_id: standard.id,
					window_start: '2026-11-01',
					window_end: '2026-11-02',
					status,
					reference
				})
				.returning('id')
				.executeTakeFirstOrThrow();
		const released = await evaluation('report_issued', '2026-S1');
		const unreleased = await evaluation('in_progress', '2026-S2');
		const finding = (evaluationId: string, reference: string) =>
			t.owner
				.insertInto('findings')
				.values({
					tenant_id: tenantId,
					evaluation_id: evaluationId,
					reference,
					kind: 'nonconformity',
					grade: 'minor',
					statement: 'x',
					raised_by: raisedBy,
					raised_on: '2026-11-01',
					due_on: '2027-01-30'
				})
				.returning('id')
				.executeTakeFirstOrThrow();
		const f1 = await finding(released.id, '2026-S1-NC01');
		const f2 = await finding(unreleased.id, '2026-S2-NC01');
		return { organisation, certificate, released, unreleased, f1, f2 };
	}

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		const a = await newTenant(t);
		const b = await newTenant(t);
		admin = await newActor(t, a.id, 'admin');
		otherAdmin = await newActor(t, b.id, 'admin');
		const mine = await arrange(a.id, '厦门立顺捷机电服务有限公司', admin.userId, 'CT');
		await arrange(a.id, '厦门其他服务公司', admin.userId, 'CX');
		await arrange(b.id, '厦门立顺捷（另一机构）', otherAdmin.userId, 'CT');
		orgUser = await newActor(t, a.id, 'org_admin', mine.organisation.id);
		uscc = mine.organisation.uscc;
		ids.org = mine.organisation.id;
		ids.certificate = mine.certificate.id;
		ids.f1 = mine.f1.id;
		ids.f2 = mine.f2.id;
		ids.released = mine.released.id;
	}, 120_000);

	afterAll(async () => {
		await t?.drop();
	});

	const search = async (actor: Actor, q: string) => {
		const result = await searchApp(t.db, actor, { q });
		if (!result.groups) throw new Error('too short');
		return {
			certificates: result.groups.certificates.rows.map((r) => r.number),
			organisations: result.groups.organisations.rows.map((r) => r.legal_name),
			findings: result.groups.findings.rows.map((r) => r.reference),
			evaluations: result.groups.evaluations.rows.map((r) => r.reference)
		};
	};

	it('finds certificates by number, organisations by name or USCC, within the tenant', async () => {
		const byNumber = await search(admin, 'ct-cert');
		expect(byNumber.certificates).toEqual(['CT-CERT-0001']);
		const byName = await search(admin, '立顺捷');
		expect(byName.organisations).toEqual(['厦门立顺捷机电服务有限公司']);
		const byUscc = await search(admin, uscc.slice(4, 16));
		expect(byUscc.organisations).toEqual(['厦门立顺捷机电服务有限公司']);
		// The other body's matching certificate and organisation are never found.
		const other = await search(otherAdmin, '立顺捷');
		expect(other.organisations).toEqual(['厦门立顺捷（另一机构）']);
	});

	it("finds findings and evaluations by reference; the body's staff see every one", async () => {
		const found = await search(admin, '2026-S');
		expect(found.findings.sort()).toEqual(
			['2026-S1-NC01', '2026-S1-NC01', '2026-S2-NC01', '2026-S2-NC01'].sort()
		);
		expect(found.evaluations).toHaveLength(4);
	});

	it("an organisation's user finds only their organisation's released findings, and no evaluations", async () => {
		const found = await search(orgUser, '2026-S');
		expect(found.findings).toEqual(['2026-S1-NC01']);
		expect(found.evaluations).toEqual([]);
		expect((await search(orgUser, 'CX-CERT')).certificates).toEqual([]);
		expect((await search(orgUser, '厦门')).organisations).toEqual(['厦门立顺捷机电服务有限公司']);
	});

	it('a query too short or with LIKE characters matches nothing it should not', async () => {
		expect((await searchApp(t.db, admin, { q: 'C' })).tooShort).toBe(true);
		const wild = await search(admin, '%_');
		expect(Object.values(wild).flat()).toEqual([]);
	});

	it('the tRPC query answers the same, and refuses a bad input with a 400', async () => {
		const caller = callerFor(testApp(t), admin);
		const result = await caller.search.query({ q: 'CT-CERT' });
		expect(result.groups?.certificates.rows.map((r) => r.id)).toEqual([ids.certificate]);
		await expect(caller.search.query({ q: 'x'.repeat(101) })).rejects.toMatchObject({
			code: 'BAD_REQUEST'
		});
	});
});
