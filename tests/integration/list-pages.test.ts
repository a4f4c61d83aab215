import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { callerFor, newActor, newOrganisation, newTenant, testApp } from '../support/factories';
import { newCertificate, newStandard } from '../support/evaluations-factories';
import { listEvaluations } from '../../src/lib/server/services/evaluations';
import { listCertificatePage } from '../../src/lib/server/services/certificates';
import { listOrganisationPage } from '../../src/lib/server/services/organisations';
import { encodeListCursor, type ListPage } from '../../src/lib/server/services/list-pages';
import type { Actor } from '../../src/lib/server/actor';
import type { App } from '../../src/lib/server/app';

/*
 * Issue 10, "lists": evaluations, certificates and organisations page by keyset in each of their
 * orders (every row once, in order, across pages), filter and search, count what the filter
 * keeps on every page, refuse a cursor that is not one of the order's (400 on `cursor`, never a
 * database error), and keep to the tenant and, for organisation users, their organisation.
 */

/** Every row of a list, page by page with pages of `size`, as the page links would walk it. */
async function walk<Row>(
	read: (cursor: string | null) => Promise<ListPage<Row>>
): Promise<{ rows: Row[]; pages: number; totals: number[] }> {
	const rows: Row[] = [];
	const totals: number[] = [];
	let cursor: string | null = null;
	let pages = 0;
	do {
		const page = await read(cursor);
		rows.push(...page.rows);
		totals.push(page.total);
		cursor = page.next;
		pages++;
	} while (cursor && pages < 100);
	return { rows, pages, totals };
}

describe.each(DIALECTS)('keyset list pages (%s)', (kind) => {
	let t: TestDatabase;
	let app: App;
	let admin: Actor;
	let orgUser: Actor;
	let otherAdmin: Actor;
	const organisationIds: string[] = [];
	const certificateIds: string[] = [];

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		app = testApp(t);
		const tenant = await newTenant(t, 'Lists Body');
		const other = await newTenant(t, 'Other Lists Body');
		admin = await newActor(t, tenant.id, 'admin');
		otherAdmin = await newActor(t, other.id, 'admin');
		const standard = await newStandard(t, tenant.id);
		const lead = await newActor(t, tenant.id, 'evaluator');
		// Seven organisations whose names sort as listed, two of them sharing one name (the id
		// breaks the tie), each with a certificate; expiries interleave with the names.
		const names = ['Alpha', 'Bravo', 'Bravo', 'Charlie', 'Delta', 'Echo', 'Foxtrot'];
		for (const [index, name] of names.entries()) {
			const organisation = await newOrganisation(t, tenant.id, `${name} Services`);
			organisationIds.push(organisation.id);
			const certificate = await newCertificate(t, tenant.id, organisation.id, standard.id);
			await t.db.inTenant({ tenantId: tenant.id, userId: null }, (tx) =>
				tx
					.updateTable('certificates')
					.set({ expires_on: `2029-0${(index % 3) + 1}-1${index}` })
					.where('id', '=', certificate.id)
					.execute()
			);
			certificateIds.push(certificate.id);
			// One evaluation of each, windows a week apart (two on the same day: ties by end, id).
			const day = String(1 + Math.min(index, 4) * 6).padStart(2, '0');
			await callerFor(app, admin).evaluations.plan({
				kind: 'surveillance',
				certificateId: certificate.id,
				windowStart: `2027-03-${day}`,
				windowEnd: `2027-03-${day}`,
				teamIds: [lead.userId],
				leadId: lead.userId
			});
		}
		orgUser = await newActor(t, tenant.id, 'org_admin', organisationIds[3]!);
		const foreign = await newOrganisation(t, other.id, 'Alpha Services');
		await newCertificate(t, other.id, foreign.id, (await newStandard(t, other.id)).id);
	}, 120_000);

	afterAll(async () => {
		await t?.drop();
	});

	it('walks the evaluations by window, latest first, and by organisation, each row once', async () => {
		const byWindow = await walk((cursor) =>
			listEvaluations(app.db, admin, { cursor }, { pageSize: 3 })
		);
		expect(byWindow.pages).toBe(3);
		expect(byWindow.totals).toEqual([7, 7, 7]);
		const windows = byWindow.rows.map((row) => row.window_start);
		expect(windows).toEqual([...windows].sort().reverse());
		expect(new Set(byWindow.rows.map((row) => row.id)).size).toBe(7);

		const byOrganisation = await walk((cursor) =>
			listEvaluations(app.db, admin, { sort: 'organisation', cursor }, { pageSize: 2 })
		);
		expect(byOrganisation.pages).toBe(4);
		expect(byOrganisation.rows.map((row) => row.organisation_name)).toEqual([
			'Alpha Services',
			'Bravo Services',
			'Bravo Services',
			'Charlie Services',
			'Delta Services',
			'Echo Services',
			'Foxtrot Services'
		]);
	});

	it('filters and searches the evaluations, counting what the filter keeps', async () => {
		const searched = await listEvaluations(app.db, admin, { search: 'bravo' });
		expect(searched.total).toBe(2);
		expect(searched.rows.map((row) => row.organisation_name)).toEqual([
			'Bravo Services',
			'Bravo Services'
		]);
		expect(searched.next).toBeNull();
		const none = await listEvaluations(app.db, admin, { status: 'closed' });
		expect(none).toEqual({ rows: [], next: null, total: 0 });
	});

	it('walks the certificates by number, by expiry and by organisation', async () => {
		for (const sort of ['number', 'expiry', 'organisation'] as const) {
			const walked = await walk((cursor) =>
				listCertificatePage(app.db, admin, { sort, cursor }, { pageSize: 2 })
			);
			expect(
				walked.totals.every((total) => total === 7),
				sort
			).toBe(true);
			expect(new Set(walked.rows.map((row) => row.id)), sort).toEqual(new Set(certificateIds));
			const keys = walked.rows.map((row) =>
				sort === 'number' ? row.number : sort === 'expiry' ? row.expires_on : row.organisation_name
			);
			expect(keys, sort).toEqual([...keys].sort());
		}
		const searched = await listCertificatePage(app.db, admin, { search: 'charlie' });
		expect(searched.rows.map((row) => row.id)).toEqual([certificateIds[3]]);
		expect(searched.total).toBe(1);
	});

	it('walks the organisations by name and by USCC', async () => {
		const byName = await walk((cursor) =>
			listOrganisationPage(app.db, admin, { cursor }, { pageSize: 3 })
		);
		expect(byName.rows.map((row) => row.id).sort()).toEqual([...organisationIds].sort());
		expect(byName.rows.every((row) => row.certificate_count === 1)).toBe(true);
		const byUscc = await walk((cursor) =>
			listOrganisationPage(app.db, admin, { sort: 'uscc', cursor }, { pageSize: 4 })
		);
		const usccs = byUscc.rows.map((row) => row.uscc);
		expect(usccs).toEqual([...usccs].sort());
		expect(byUscc.pages).toBe(2);
	});

	it('refuses a cursor of another order, a mangled one and one with a bad value, on the field', async () => {
		const page = await listEvaluations(app.db, admin, {}, { pageSize: 2 });
		const cursors = [
			page.next!,
			'not-a-cursor',
			encodeListCursor('window', ["2027-13-45'; drop table findings; --", '2027-01-01', 'x']),
			encodeListCursor('window', ['2027-03-01', '2027-03-01', 'not-a-uuid'])
		];
		const refused = { kind: 'BAD_REQUEST', field: 'cursor', messageKey: 'error_invalid_cursor' };
		await expect(
			listEvaluations(app.db, admin, { sort: 'organisation', cursor: cursors[0] })
		).rejects.toMatchObject(refused);
		for (const cursor of cursors.slice(1))
			await expect(listEvaluations(app.db, admin, { cursor })).rejects.toMatchObject(refused);
		await expect(
			listCertificatePage(app.db, admin, { sort: 'expiry', cursor: 'W10' })
		).rejects.toMatchObject(refused);
		// Through tRPC: a 400 with the message, not a server error.
		await expect(
			callerFor(app, admin).organisations.list({ cursor: 'bogus' })
		).rejects.toMatchObject({ code: 'BAD_REQUEST' });
	});

	it("keeps to the tenant, and to an organisation user's own organisation", async () => {
		const foreign = await listOrganisationPage(app.db, otherAdmin, {});
		expect(foreign.total).toBe(1);
		expect(foreign.rows.map((row) => row.id)).not.toContain(organisationIds[0]);
		const own = await listCertificatePage(app.db, orgUser, {
			organisationId: organisationIds[0]
		});
		expect(own.rows.map((row) => row.id)).toEqual([certificateIds[3]]);
		expect(own.total).toBe(1);
		const organisations = await listOrganisationPage(app.db, orgUser, { search: 'Services' });
		expect(organisations.rows.map((row) => row.id)).toEqual([organisationIds[3]]);
		await expect(callerFor(app, orgUser).evaluations.list()).rejects.toMatchObject({
			code: 'FORBIDDEN'
		});
	});
});
