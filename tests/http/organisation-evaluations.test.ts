import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { Browserless, signedIn, startDemoApp } from '../support/http';
import type { RunningServer } from '../support/server';
import { AppDatabase } from '../../src/lib/server/db/tenant-scope';
import { loadDemoData } from '../../db/seed/demo';
import { DEMO_CERTIFICATES, LISHUNJIE, LUJIANG } from '../../db/seed/demo-data';
import { pdfQrCodes, pdfText } from '../support/pdf';

/*
 * Issue 12 item 6 and issue 13 item 3 through HTTP on the built app with the demo data: the
 * organisation's admin (org@demo.test, 立顺捷) lists and opens its own evaluations read-only
 * (no step, plan or finding form; posting to them is refused), never another organisation's,
 * and downloads its issued report as a PDF that /verify then knows; anyone downloads a
 * certificate's PDF from its public page, whose QR code is that page.
 */

describe('organisation users and printed documents through HTTP', () => {
	let t: TestDatabase;
	let server: RunningServer;
	let org: Browserless;
	let ownIssued: string;
	let ownAny: string[];
	let otherId: string;

	beforeAll(async () => {
		t = await createTestDatabase('postgres');
		await loadDemoData(t.owner, new AppDatabase(t.connection));
		server = await startDemoApp({ DATABASE_URL: t.url! });
		org = await signedIn(server, 'org@demo.test');
		const evaluations = await t.owner
			.selectFrom('evaluations')
			.innerJoin('organisations', 'organisations.id', 'evaluations.organisation_id')
			.innerJoin('tenants', 'tenants.id', 'evaluations.tenant_id')
			.select(['evaluations.id', 'evaluations.status', 'organisations.legal_name'])
			.where('tenants.slug', '=', 'demo')
			.execute();
		const own = evaluations.filter((row) => row.legal_name === LISHUNJIE);
		ownAny = own.map((row) => row.id);
		ownIssued = own.find((row) => row.status === 'report_issued' || row.status === 'closed')!.id;
		let other = evaluations.find((row) => row.legal_name === LUJIANG)?.id;
		if (!other) {
			// The demo plans nothing for 鹭江: one planned by hand, on its own certificate.
			const certificate = await t.owner
				.selectFrom('certificates')
				.innerJoin('organisations', 'organisations.id', 'certificates.organisation_id')
				.select([
					'certificates.id',
					'certificates.tenant_id',
					'certificates.organisation_id',
					'certificates.standard_id'
				])
				.where('organisations.legal_name', '=', LUJIANG)
				.executeTakeFirstOrThrow();
			other = (
				await t.owner
					.insertInto('evaluations')
					.values({
						tenant_id: certificate.tenant_id,
						kind: 'surveillance',
						certificate_id: certificate.id,
						organisation_id: certificate.organisation_id,
						standard_id: certificate.standard_id,
						window_start: '2027-01-10',
						window_end: '2027-01-11'
					})
					.returning('id')
					.executeTakeFirstOrThrow()
			).id;
		}
		otherId = other;
	}, 300_000);

	afterAll(async () => {
		await server?.stop();
		await t?.drop();
	});

	it('lists the organisation’s own evaluations, without plan or export', async () => {
		const response = await org.fetch('/evaluations');
		expect(response.status).toBe(200);
		const html = await response.text();
		for (const id of ownAny) expect(html).toContain(`/evaluations/${id}`);
		expect(html).not.toContain(`/evaluations/${otherId}`);
		expect(html).not.toContain(LUJIANG);
		expect(html).not.toContain('href="/evaluations/new"');
		expect(html).not.toContain('/evaluations/export.');
	});

	it('opens its evaluation read-only, with the report download and no staff form', async () => {
		const response = await org.fetch(`/evaluations/${ownIssued}`);
		expect(response.status).toBe(200);
		const html = await response.text();
		expect(html).toContain(LISHUNJIE);
		expect(html).toContain('data-testid="evaluation-team"');
		expect(html).toContain(`/evaluations/${ownIssued}/report.pdf`);
		expect(html).toContain('href="/findings/');
		for (const action of ['?/step', '?/updatePlan', '?/record'])
			expect(html).not.toContain(`action="${action}"`);
	});

	it('refuses the staff actions posted anyway, and changes nothing', async () => {
		const before = await t.owner
			.selectFrom('evaluations')
			.select(['status', 'version'])
			.where('id', '=', ownIssued)
			.executeTakeFirstOrThrow();
		const step = await org.action(`/evaluations/${ownIssued}`, 'step', {
			action: 'close',
			version: String(before.version)
		});
		expect(step.status).toBe(403);
		const plan = await org.action(`/evaluations/${ownIssued}`, 'updatePlan', {
			version: String(before.version),
			windowStart: '2027-01-01',
			windowEnd: '2027-01-02'
		});
		expect(plan.status).toBe(403);
		const record = await org.action(`/evaluations/${ownIssued}`, 'record', {
			kind: 'observation',
			statement: 'x'
		});
		expect(record.status).toBe(403);
		const after = await t.owner
			.selectFrom('evaluations')
			.select(['status', 'version'])
			.where('id', '=', ownIssued)
			.executeTakeFirstOrThrow();
		expect(after).toEqual(before);
	});

	it('never shows another organisation’s evaluation or report', async () => {
		expect((await org.fetch(`/evaluations/${otherId}`)).status).toBe(404);
		expect((await org.fetch(`/evaluations/${otherId}/report.pdf`)).status).toBe(404);
	});

	it('downloads its report as a PDF that /verify knows by its code and by its bytes', async () => {
		const response = await org.fetch(`/evaluations/${ownIssued}/report.pdf`);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe('application/pdf');
		expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename=/);
		const bytes = new Uint8Array(await response.arrayBuffer());
		expect(await pdfText(bytes)).toContain(LISHUNJIE);
		const code = response.headers.get('x-document-code')!;

		const anonymous = new Browserless(server.origin);
		const byCode = await anonymous.fetch(`/verify?code=${encodeURIComponent(code)}`);
		const page = await byCode.text();
		expect(page).toContain('data-testid="document-genuine"');
		expect(page).toContain(code);

		const form = new FormData();
		form.set('pdf', new Blob([bytes], { type: 'application/pdf' }), 'report.pdf');
		form.set('code', '');
		const upload = await anonymous.action('/verify', 'document', form);
		expect(upload.status).toBe(200);
		expect(upload.data?.checked).toMatchObject({ document: { code, kind: 'evaluation_report' } });

		const altered = new Uint8Array(bytes);
		altered[altered.length - 10] = altered[altered.length - 10]! ^ 1;
		const forged = new FormData();
		forged.set('pdf', new Blob([altered], { type: 'application/pdf' }), 'report.pdf');
		const unknown = await anonymous.action('/verify', 'document', forged);
		expect(unknown.data?.checked).toEqual({ document: null });

		const bad = await anonymous.action('/verify', 'document', { code: 'not a code!' });
		expect(bad.status).toBe(400);
	});

	it('downloads a certificate’s PDF from its public page, its QR code that page', async () => {
		const number = DEMO_CERTIFICATES[0]!.number;
		const path = `/verify/demo/${encodeURIComponent(number)}`;
		const anonymous = new Browserless(server.origin);
		const page = await (await anonymous.fetch(path)).text();
		expect(page).toContain(`${path}/certificate.pdf`);
		const response = await anonymous.fetch(`${path}/certificate.pdf`);
		expect(response.status).toBe(200);
		const bytes = new Uint8Array(await response.arrayBuffer());
		expect(await pdfText(bytes)).toContain(LISHUNJIE);
		expect(await pdfQrCodes(bytes)).toEqual([`${server.origin}${path}`]);
		expect((await anonymous.fetch('/verify/demo/NO-SUCH/certificate.pdf')).status).toBe(404);
	});
});
