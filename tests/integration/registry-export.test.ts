import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { newActor } from '../support/factories';
import {
	auditOf,
	json,
	newCertificate,
	newWorkflowWorld,
	type WorkflowWorld
} from '../support/workflow-factories';
import {
	registryChangeBatches,
	registryPeriod,
	registryPreview,
	startRegistryExport
} from '../../src/lib/server/services/registry-export';
import { Refusal } from '../../src/lib/server/errors';
import {
	getTenantSettings,
	saveTenantSettings
} from '../../src/lib/server/services/tenant-settings';
import { tenantSettingsInput } from '../../src/lib/server/services/tenant-settings.schema';
import type { RegistryFile } from '../../src/lib/server/domain/registry-export';

/*
 * Issue 13 item 5: the certificate changes of a period as the IAF CertSearch and CNCA CSV files,
 * on PostgreSQL and PGlite. The period (default: last month in the body's zone; a month; from–to;
 * refused when bad), one row per change in the order they took effect, the status and scope in
 * force after each, the decision's reason or the change's name as 变更原因, the columns of each
 * file and one row checked cell by cell, the export in the audit log, admins only, and another
 * tenant's changes never in the file.
 */

/** 01:00 on 1 December in Shanghai, still 30 November in UTC: "last month" is November. */
const NOW = new Date('2026-11-30T17:00:00Z');

async function csvOf(body: ReadableStream<Uint8Array>) {
	// Response.text() would drop the BOM the file starts with; the test checks it is there.
	const bytes = await new Response(body).arrayBuffer();
	return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
}

/** Rows of a CSV without quoted line breaks (the test's values have none). */
function rowsOf(text: string): string[][] {
	return text
		.replace(/^\uFEFF/, '')
		.split('\r\n')
		.filter((line) => line !== '')
		.map((line) => {
			const cells: string[] = [];
			let cell = '';
			let quoted = false;
			for (let i = 0; i < line.length; i++) {
				const c = line[i]!;
				if (quoted) {
					if (c === '"' && line[i + 1] === '"') {
						cell += '"';
						i++;
					} else if (c === '"') quoted = false;
					else cell += c;
				} else if (c === '"') quoted = true;
				else if (c === ',') {
					cells.push(cell);
					cell = '';
				} else cell += c;
			}
			cells.push(cell);
			return cells;
		});
}

describe.each(DIALECTS)('registry exports (%s)', (kind) => {
	let t: TestDatabase;
	let world: WorkflowWorld;
	let other: WorkflowWorld;
	let certificateId: string;
	let number: string;

	async function decision(
		w: WorkflowWorld,
		certificate: string,
		kindOf: 'suspend' | 'restore' | 'regrade',
		reason: string,
		on: string
	) {
		const row = await t.owner
			.insertInto('decisions')
			.values({
				tenant_id: w.tenantId,
				certificate_id: certificate,
				kind: kindOf,
				reason,
				decided_by: w.decider.userId,
				decided_on: on
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		return row.id;
	}

	async function history(
		w: WorkflowWorld,
		certificate: string,
		line: {
			change: 'issued' | 'status' | 'grade' | 'scope';
			from?: 'active' | 'suspended' | null;
			to?: 'active' | 'suspended' | null;
			toScope?: string;
			on: string;
			decisionId?: string;
			at: string;
		}
	) {
		await t.owner
			.insertInto('certificate_history')
			.values({
				tenant_id: w.tenantId,
				certificate_id: certificate,
				change: line.change,
				from_status: line.from ?? null,
				to_status: line.to ?? null,
				to_scope: line.toScope ?? null,
				effective_on: line.on,
				decision_id: line.decisionId ?? null,
				recorded_at: new Date(line.at)
			})
			.execute();
	}

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		world = await newWorkflowWorld(t);
		other = await newWorkflowWorld(t);
		certificateId = await newCertificate(t, world, { scope: '家用电器售后服务' });
		const cert = await t.owner
			.selectFrom('certificates')
			.select('number')
			.where('id', '=', certificateId)
			.executeTakeFirstOrThrow();
		number = cert.number;
		await history(world, certificateId, {
			change: 'issued',
			to: 'active',
			toScope: '家用电器售后服务',
			on: '2026-01-10',
			at: '2026-01-10T02:00:00Z'
		});
		// October: outside November.
		await history(world, certificateId, {
			change: 'grade',
			on: '2026-10-31',
			at: '2026-10-31T03:00:00Z'
		});
		const suspend = await decision(
			world,
			certificateId,
			'suspend',
			'严重不符合逾期未关闭',
			'2026-11-05'
		);
		await history(world, certificateId, {
			change: 'status',
			from: 'active',
			to: 'suspended',
			on: '2026-11-05',
			decisionId: suspend,
			at: '2026-11-05T02:00:00Z'
		});
		// A grade change carries no status: the file says the one in force (suspended).
		await history(world, certificateId, {
			change: 'grade',
			on: '2026-11-12',
			at: '2026-11-12T02:00:00Z'
		});
		const restore = await decision(world, certificateId, 'restore', '整改已验证有效', '2026-11-20');
		await history(world, certificateId, {
			change: 'status',
			from: 'suspended',
			to: 'active',
			on: '2026-11-20',
			decisionId: restore,
			at: '2026-11-20T02:00:00Z'
		});
		// Another body's change in the same month.
		await history(other, other.certificateId, {
			change: 'status',
			from: 'active',
			to: 'suspended',
			on: '2026-11-15',
			at: '2026-11-15T02:00:00Z'
		});
	});

	afterAll(async () => {
		await t?.drop();
	});

	const november = () => registryPeriod(new URLSearchParams(), world.admin, NOW);

	it('defaults to last month in the body’s zone, takes a month or from–to, refuses a bad period', () => {
		expect(november()).toEqual({ from: '2026-11-01', to: '2026-11-30', month: '2026-11' });
		expect(registryPeriod(new URLSearchParams('month=2024-02'), world.admin, NOW)).toEqual({
			from: '2024-02-01',
			to: '2024-02-29',
			month: '2024-02'
		});
		expect(
			registryPeriod(new URLSearchParams('from=2026-11-03&to=2026-11-20'), world.admin, NOW)
		).toEqual({ from: '2026-11-03', to: '2026-11-20', month: null });
		const refusal = (query: string) => {
			try {
				registryPeriod(new URLSearchParams(query), world.admin, NOW);
			} catch (error) {
				if (error instanceof Refusal) return [error.kind, error.field, error.messageKey];
				throw error;
			}
			return null;
		};
		expect(refusal('month=2026-13')).toEqual([
			'BAD_REQUEST',
			'month',
			'registry_error_month_invalid'
		]);
		expect(refusal('from=2026-11-20&to=2026-11-03')).toEqual([
			'BAD_REQUEST',
			'to',
			'registry_error_period_order'
		]);
		expect(refusal('from=2024-01-01&to=2026-01-01')).toEqual([
			'BAD_REQUEST',
			'from',
			'registry_error_period_length'
		]);
		expect(refusal('from=2026-11-01')).toEqual([
			'BAD_REQUEST',
			'to',
			'registry_error_period_incomplete'
		]);
	});

	it('previews one row per change of the period, in order, with the status in force after each', async () => {
		const preview = await registryPreview(t.db, world.admin, november());
		expect(preview.more).toBe(false);
		expect(preview.rows.map((row) => [row.effectiveOn, row.change, row.status])).toEqual([
			['2026-11-05', 'status', 'suspended'],
			['2026-11-12', 'grade', 'suspended'],
			['2026-11-20', 'status', 'active']
		]);
		expect(preview.rows.every((row) => row.certificateNumber === number)).toBe(true);
	});

	it('writes the CNCA file: the issue’s Chinese header, values in the platform’s words', async () => {
		const file = await startRegistryExport(t.db, world.admin, 'cnca', november());
		expect(file.fileName).toBe('cnca-2026-11.csv');
		expect(file.contentType).toBe('text/csv; charset=utf-8');
		const text = await csvOf(file.body);
		expect(text.startsWith('\uFEFF')).toBe(true);
		const [header, ...rows] = rowsOf(text);
		expect(header).toEqual([
			'证书编号',
			'获证组织名称',
			'统一社会信用代码',
			'认证项目',
			'认证范围',
			'证书状态',
			'颁证日期',
			'有效期至',
			'变更日期',
			'变更原因'
		]);
		expect(rows).toHaveLength(3);
		const organisation = await t.owner
			.selectFrom('organisations')
			.select(['legal_name', 'uscc'])
			.where('id', '=', world.organisationId)
			.executeTakeFirstOrThrow();
		const standard = await t.owner
			.selectFrom('standards')
			.select('code')
			.where('id', '=', world.standardId)
			.executeTakeFirstOrThrow();
		expect(rows[0]).toEqual([
			number,
			organisation.legal_name,
			organisation.uscc,
			`${standard.code} 商品售后服务评价体系`,
			'家用电器售后服务',
			'暂停',
			'2026-01-10',
			'2029-01-09',
			'2026-11-05',
			'严重不符合逾期未关闭'
		]);
		// No decision behind the grade line: the change's name; the restore: 有效.
		expect(rows[1]![9]).toBe('证书等级变更');
		expect([rows[2]![5], rows[2]![9]]).toEqual(['有效', '整改已验证有效']);
	});

	it('writes the IAF CertSearch file in its template’s column names and YYYYMMDD dates', async () => {
		const file = await startRegistryExport(t.db, world.admin, 'iaf-certsearch', november());
		const [header, first] = rowsOf(await csvOf(file.body));
		expect(header).toEqual([
			'Certification Identity Number',
			'Certificate Number',
			'Certification Status',
			'Accreditation Status',
			'Certification Type',
			'Certification Scope',
			'Certification Original Issue Date',
			'Certification Issue Date',
			'Certification Expiry Date',
			'Certified Entity Name',
			'Certified Entity Address',
			'Standards and Schemes',
			'Accreditation Body',
			'Status Change Date'
		]);
		expect(first!.slice(0, 10)).toEqual([
			certificateId,
			number,
			'Suspended',
			'Accredited',
			'Product',
			'家用电器售后服务',
			'20260110',
			'20260110',
			'20290109',
			first![9]
		]);
		expect(first!.slice(12)).toEqual(['CNAS', '20261105']);
	});

	it('names the accreditation body the admin set on the settings page, or none', async () => {
		const iafFirstRow = async () => {
			const file = await startRegistryExport(t.db, world.admin, 'iaf-certsearch', november());
			return rowsOf(await csvOf(file.body))[1]!;
		};
		const save = async (accreditationBody: string) => {
			const s = await getTenantSettings(t.db, world.admin);
			await saveTenantSettings(
				t.db,
				world.admin,
				tenantSettingsInput.parse({
					version: String(s.settings_version),
					name: s.name,
					nameEn: s.name_en,
					slug: s.slug,
					timeZone: s.time_zone,
					defaultLocale: s.default_locale,
					certificateNumberPattern: s.certificate_number_pattern,
					mailSenderName: s.mail_sender_name,
					accreditationBody
				})
			);
		};
		expect((await getTenantSettings(t.db, world.admin)).accreditation_body).toBe('CNAS');
		try {
			await save(' UKAS ');
			const accredited = await iafFirstRow();
			expect([accredited[3], accredited[12]]).toEqual(['Accredited', 'UKAS']);
			await save('');
			const unaccredited = await iafFirstRow();
			expect([unaccredited[3], unaccredited[12]]).toEqual(['Unaccredited', '']);
		} finally {
			await save('CNAS');
		}
	});

	it('records each export in the audit log, with the file and the period', async () => {
		await csvOf((await startRegistryExport(t.db, world.admin, 'cnca', november())).body);
		const entries = (await auditOf(t, 'registry')).filter(
			(entry) => entry.actor_user_id === world.admin.userId
		);
		expect(entries.length).toBeGreaterThan(0);
		expect(entries.at(-1)!.action).toBe('list.export');
		expect(json(entries.at(-1)!.after)).toMatchObject({
			registry: 'cnca',
			from: '2026-11-01',
			to: '2026-11-30'
		});
	});

	it('reads in batches by keyset without losing or repeating a row', async () => {
		const rows = [];
		for await (const batch of registryChangeBatches(t.db, world.admin, november(), 1))
			rows.push(...batch.map((row) => row.effectiveOn));
		expect(rows).toEqual(['2026-11-05', '2026-11-12', '2026-11-20']);
	});

	it('is for administrators only, and never holds another body’s changes', async () => {
		for (const actor of [world.evaluator, world.decider, world.orgUser]) {
			for (const file of ['cnca', 'iaf-certsearch'] as RegistryFile[])
				await expect(startRegistryExport(t.db, actor, file, november())).rejects.toMatchObject({
					kind: 'FORBIDDEN'
				});
			await expect(registryPreview(t.db, actor, november())).rejects.toMatchObject({
				kind: 'FORBIDDEN'
			});
		}
		const otherAdmin = await newActor(t, other.tenantId, 'admin');
		const theirs = await registryPreview(t.db, otherAdmin, november());
		expect(theirs.rows.map((row) => row.certificateId)).toEqual([other.certificateId]);
		const ours = await registryPreview(t.db, world.admin, november());
		expect(ours.rows.some((row) => row.certificateId === other.certificateId)).toBe(false);
	});
});
