import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { Browserless, signedIn, startDemoApp } from '../support/http';
import type { RunningServer } from '../support/server';
import exportsZh from '../../messages/exports/zh-CN.json';

/*
 * The exports through HTTP on the built app with the demo data: the route answers each list as
 * CSV (BOM, attachment with an RFC 5987 Chinese file name) and XLSX, the list pages link to them
 * with their filter, a filter the list does not offer is a 400 that says which, and a role that
 * may not see a list gets 403, not a file.
 */

describe('list exports over HTTP', () => {
	let server: RunningServer;
	let admin: Browserless;
	let org: Browserless;

	beforeAll(async () => {
		server = await startDemoApp();
		admin = await signedIn(server, 'admin@demo.test');
		org = await signedIn(server, 'org@demo.test');
	}, 300_000);

	afterAll(async () => {
		await server?.stop();
	});

	it('the findings page links its filter; the CSV holds the rows, with the BOM', async () => {
		const page = await (await admin.fetch('/findings?status=open&sort=due')).text();
		expect(page).toContain('/findings/export.csv?status=open&amp;sort=due');
		expect(page).toContain('/findings/export.xlsx?status=open&amp;sort=due');
		expect(page).toContain(exportsZh.exports_csv);

		const response = await admin.fetch('/findings/export.csv?status=open&sort=due');
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
		const disposition = response.headers.get('content-disposition') ?? '';
		expect(disposition).toMatch(/^attachment; filename="findings-\d{4}-\d{2}-\d{2}\.csv"; /);
		expect(disposition).toContain("filename*=UTF-8''%E5%8F%91%E7%8E%B0%E9%A1%B9-");
		const bytes = Buffer.from(await response.arrayBuffer());
		expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		const lines = bytes.toString('utf8').trimEnd().split('\r\n');
		expect(lines[0]).toContain('编号');
		// The demo's special evaluation leaves open nonconformities.
		expect(lines.length).toBeGreaterThan(1);
	});

	it('every list exports as XLSX that exceljs reads back', async () => {
		for (const list of [
			'findings',
			'evaluations',
			'certificates',
			'organisations',
			'obligations'
		]) {
			// The obligations' due items are written by the chase's first sweep, a few seconds after
			// the app starts (later on a loaded machine): the list is read again until it holds them.
			const deadline = Date.now() + 30_000;
			let sheet: ExcelJS.Worksheet;
			for (;;) {
				const response = await admin.fetch(`/${list}/export.xlsx`);
				expect(response.status, list).toBe(200);
				const workbook = new ExcelJS.Workbook();
				await workbook.xlsx.load(await response.arrayBuffer());
				sheet = workbook.worksheets[0]!;
				if (sheet.rowCount > 1 || list !== 'obligations' || Date.now() > deadline) break;
				await new Promise((resolve) => setTimeout(resolve, 500));
			}
			expect(sheet.rowCount, list).toBeGreaterThan(1);
			expect(sheet.getRow(1).getCell(sheet.getRow(1).cellCount).value, list).toBe('ID');
		}
	}, 90_000);

	it('a filter the list does not offer: 400 naming it; a list not theirs: 403', async () => {
		const bad = await admin.fetch('/findings/export.csv?status=exploded');
		expect(bad.status).toBe(400);
		expect(await bad.text()).toContain('“status”');
		const badSort = await admin.fetch('/certificates/export.xlsx?sort=%00');
		expect(badSort.status).toBe(400);
		expect((await org.fetch('/findings/export.csv')).status).toBe(403);
		expect((await org.fetch('/evaluations/export.xlsx')).status).toBe(403);
		expect((await admin.fetch('/findings/export.pdf')).status).toBe(404);
	});

	it("an organisation's user exports its own certificates and organisation only", async () => {
		const response = await org.fetch('/organisations/export.csv');
		expect(response.status).toBe(200);
		const lines = (await response.text()).trimEnd().split('\r\n');
		expect(lines).toHaveLength(2);
		expect(lines[1]).toContain('厦门立顺捷机电服务有限公司');
		const certificates = await org.fetch('/certificates/export.csv');
		expect(certificates.status).toBe(200);
		expect((await certificates.text()).trimEnd().split('\r\n').length).toBeGreaterThan(1);
	});
});
