import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { actorOf, newActor, newTenant } from '../support/factories';
import { populateTenant } from '../support/populate';
import { pdfInfo, pdfQrCodes, pdfText } from '../support/pdf';
import type { Actor } from '../../src/lib/server/actor';
import { Refusal } from '../../src/lib/server/errors';
import { createOrganisation } from '../../src/lib/server/services/organisations';
import { planEvaluation } from '../../src/lib/server/services/evaluations';
import {
	certificateDocument,
	evaluationReportDocument,
	nonconformityReportDocument,
	normaliseDocumentCode,
	publicCertificateDocument,
	verifyDocument
} from '../../src/lib/server/services/documents';
import { getEvaluation, listEvaluations } from '../../src/lib/server/services/evaluations';
import { newUscc } from '../support/factories';

/*
 * Printed documents (issue 13 item 3) and the organisation's read-only evaluations (issue 12
 * item 6), on PostgreSQL and PGlite. Each PDF is parsed back as a viewer reads it: its text must
 * hold the Chinese organisation name (the CJK subset font embedded right), its QR code must
 * decode to the page it names, and /verify must know it by its bytes and by its printed code, but
 * not once a byte has changed. Another tenant sees none of its documents.
 */

const ORIGIN = 'https://certtrack.example';
const CHINESE_NAME = '厦门鹭岛精密制造有限公司';
const BODY_NAME = '鹭岛认证中心';

async function refusalOf(promise: Promise<unknown>): Promise<Refusal> {
	const error = await promise.then(
		() => null,
		(reason: unknown) => reason
	);
	expect(error).toBeInstanceOf(Refusal);
	return error as Refusal;
}

describe.each(DIALECTS)('printed documents (%s)', (kind) => {
	let t: TestDatabase;
	let tenant: { id: string; slug: string };
	let admin: Actor;
	let orgUser: Actor;
	let otherOrgUser: Actor;
	let certificate: { id: string; number: string };
	let evaluationId: string;
	let findingId: string;
	let plannedId: string;
	let otherTenant: { id: string };
	let otherAdmin: Actor;

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		tenant = await newTenant(t, BODY_NAME);
		const world = await populateTenant(t, tenant.id);
		await t.owner
			.updateTable('organisations')
			.set({ legal_name: CHINESE_NAME })
			.where('id', '=', world.organisation.id)
			.execute();
		await t.owner
			.updateTable('tenants')
			.set({ name_en: 'Ludao Certification Centre' })
			.where('id', '=', tenant.id)
			.execute();
		orgUser = await actorOf(t, tenant.id, world.person.id);
		admin = await newActor(t, tenant.id, 'admin');
		const other = await createOrganisation(t.db, admin, {
			legalName: '另一家公司',
			uscc: newUscc(),
			address: 'Fuzhou'
		});
		otherOrgUser = await newActor(t, tenant.id, 'org_member', other.id);
		certificate = await t.owner
			.selectFrom('certificates')
			.select(['id', 'number'])
			.where('tenant_id', '=', tenant.id)
			.executeTakeFirstOrThrow();
		const evaluation = await t.owner
			.selectFrom('evaluations')
			.select('id')
			.where('tenant_id', '=', tenant.id)
			.executeTakeFirstOrThrow();
		evaluationId = evaluation.id;
		const finding = await t.owner
			.selectFrom('findings')
			.select('id')
			.where('tenant_id', '=', tenant.id)
			.where('kind', '=', 'nonconformity')
			.executeTakeFirstOrThrow();
		findingId = finding.id;
		const planned = await planEvaluation(t.db, admin, {
			kind: 'surveillance',
			certificateId: certificate.id,
			windowStart: '2026-12-10',
			windowEnd: '2026-12-11',
			teamIds: [admin.userId],
			leadId: admin.userId
		});
		plannedId = planned.id;
		otherTenant = await newTenant(t);
		otherAdmin = await newActor(t, otherTenant.id, 'admin');
	}, 120_000);

	afterAll(async () => {
		await t?.drop();
	});

	it('prints the certificate in Chinese with the organisation name embedded and a QR code of its public page', async () => {
		const document = await certificateDocument(t.db, orgUser, certificate.id, 'zh-CN', ORIGIN);
		expect(document.bytes.subarray(0, 5).toString()).toBe('%PDF-');
		const text = await pdfText(document.bytes);
		expect(text).toContain(CHINESE_NAME);
		expect(text).toContain(BODY_NAME);
		expect(text).toContain('认证证书');
		expect(text).toContain(certificate.number);
		expect(text).toContain(document.code);
		expect(await pdfQrCodes(document.bytes)).toEqual([
			`${ORIGIN}/verify/${tenant.slug}/${encodeURIComponent(certificate.number)}`
		]);
		const { info } = await pdfInfo(document.bytes);
		expect(info.Subject).toBe(document.code);
		// The font is a subset: far below the 2.5 MB of the whole face.
		expect(document.bytes.length).toBeLessThan(200_000);
	});

	it('records each generated PDF with the SHA-256 of its bytes, and audits it', async () => {
		const document = await certificateDocument(t.db, admin, certificate.id, 'en', ORIGIN);
		const row = await t.owner
			.selectFrom('documents')
			.selectAll()
			.where('code', '=', document.code)
			.executeTakeFirstOrThrow();
		expect(row).toMatchObject({
			tenant_id: tenant.id,
			kind: 'certificate',
			certificate_id: certificate.id,
			generated_by: admin.userId,
			locale: 'en'
		});
		const { createHash } = await import('node:crypto');
		expect(Buffer.from(row.sha256).toString('hex')).toBe(
			createHash('sha256').update(document.bytes).digest('hex')
		);
		const audit = await t.owner
			.selectFrom('audit_log')
			.select(['action', 'actor_user_id'])
			.where('entity_id', '=', row.id)
			.execute();
		expect(audit).toEqual([{ action: 'document.generate', actor_user_id: admin.userId }]);
		// English reader: the English name of the body.
		expect(await pdfText(document.bytes)).toContain('Ludao Certification Centre');
	});

	it('prints the evaluation report in the reader’s language with team, findings and clauses', async () => {
		const zh = await evaluationReportDocument(t.db, orgUser, evaluationId, 'zh-CN', ORIGIN);
		const zhText = await pdfText(zh.bytes);
		expect(zhText).toContain('评审报告');
		expect(zhText).toContain(CHINESE_NAME);
		expect(zhText).toContain('评审组');
		expect(zhText).toMatch(/NC-\d+/);
		const en = await evaluationReportDocument(t.db, admin, evaluationId, 'en', ORIGIN);
		const enText = await pdfText(en.bytes);
		expect(enText).toContain('Evaluation report');
		expect(enText).toContain('Lead');
		expect(await pdfQrCodes(en.bytes)).toEqual([
			`${ORIGIN}/verify?code=${encodeURIComponent(en.code)}`
		]);
	});

	it('refuses the report before it is issued, and to another organisation or another tenant', async () => {
		expect(
			(await refusalOf(evaluationReportDocument(t.db, admin, plannedId, 'en', ORIGIN))).messageKey
		).toBe('documents_error_report_not_issued');
		expect(
			(await refusalOf(evaluationReportDocument(t.db, otherOrgUser, evaluationId, 'en', ORIGIN)))
				.kind
		).toBe('NOT_FOUND');
		expect(
			(await refusalOf(certificateDocument(t.db, otherOrgUser, certificate.id, 'en', ORIGIN))).kind
		).toBe('NOT_FOUND');
		expect(
			(await refusalOf(nonconformityReportDocument(t.db, otherAdmin, findingId, 'en', ORIGIN))).kind
		).toBe('NOT_FOUND');
	});

	it('prints the nonconformity report: the finding, the response, the evidence list and the verification', async () => {
		const document = await nonconformityReportDocument(t.db, orgUser, findingId, 'zh-CN', ORIGIN);
		const text = await pdfText(document.bytes);
		expect(text).toContain('不符合报告');
		expect(text).toContain('statement');
		expect(text).toContain('组织的回复');
		expect(text).toContain('fix');
		expect(text).toContain('证据清单');
		expect(text).toContain('验证');
	});

	it('answers /verify by the PDF’s bytes or its typed code, and not once a byte changed', async () => {
		const document = await certificateDocument(t.db, admin, certificate.id, 'zh-CN', ORIGIN);
		const byBytes = await verifyDocument(t.db, { pdf: document.bytes }, 'zh-CN');
		expect(byBytes).toEqual({
			kind: 'certificate',
			code: document.code,
			bodyName: BODY_NAME,
			subject: certificate.number,
			generatedAt: expect.any(Date),
			timeZone: 'Asia/Shanghai',
			locale: 'zh-CN'
		});
		const typed = document.code.toLowerCase().replace(/-/g, ' ');
		expect(await verifyDocument(t.db, { code: typed }, 'en')).toMatchObject({
			code: document.code,
			bodyName: 'Ludao Certification Centre'
		});
		const altered = Buffer.from(document.bytes);
		altered[altered.length - 20] = altered[altered.length - 20]! ^ 1;
		expect(await verifyDocument(t.db, { pdf: altered }, 'en')).toBeNull();
		expect(await verifyDocument(t.db, { code: 'ZZZZ-ZZZZ-ZZZZ' }, 'en')).toBeNull();
		expect(normaliseDocumentCode('abc')).toBeNull();
	});

	it('prints the certificate from its public page with nobody signed in', async () => {
		const document = await publicCertificateDocument(
			t.db,
			tenant.slug,
			certificate.number,
			'en',
			ORIGIN
		);
		expect(document).not.toBeNull();
		expect(await pdfText(document!.bytes)).toContain(CHINESE_NAME);
		const row = await t.owner
			.selectFrom('documents')
			.select(['generated_by', 'tenant_id'])
			.where('code', '=', document!.code)
			.executeTakeFirstOrThrow();
		expect(row).toEqual({ generated_by: null, tenant_id: tenant.id });
		expect(await publicCertificateDocument(t.db, tenant.slug, 'NO-SUCH', 'en', ORIGIN)).toBeNull();
	});

	it('keeps one tenant’s documents out of another’s reach (row-level security)', async () => {
		const document = await certificateDocument(t.db, admin, certificate.id, 'en', ORIGIN);
		const seen = await t.db.inTenant(
			{ tenantId: otherTenant.id, userId: otherAdmin.userId },
			(tx) =>
				sql<{
					n: number;
				}>`select count(*)::int as n from documents where code = ${document.code}`.execute(tx)
		);
		expect(seen.rows[0]?.n).toBe(0);
		const own = await t.db.inTenant({ tenantId: tenant.id, userId: admin.userId }, (tx) =>
			sql<{
				n: number;
			}>`select count(*)::int as n from documents where code = ${document.code}`.execute(tx)
		);
		expect(own.rows[0]?.n).toBe(1);
		// Writing a row into another tenant is refused.
		await expect(
			t.db.inTenant({ tenantId: otherTenant.id, userId: otherAdmin.userId }, (tx) =>
				tx
					.insertInto('documents')
					.values({
						tenant_id: tenant.id,
						kind: 'certificate',
						certificate_id: certificate.id,
						sha256: new Uint8Array(32),
						code: 'AAAA-BBBB-CCCC',
						locale: 'en'
					})
					.execute()
			)
		).rejects.toThrow(/row-level security/i);
	});

	describe('the organisation’s evaluations, read-only (issue 12 item 6)', () => {
		it('lists only the organisation’s own evaluations', async () => {
			const own = await listEvaluations(t.db, orgUser);
			// Every evaluation of its organisation (the populated one's, the planned one), no other.
			const ofOrganisation = await t.owner
				.selectFrom('evaluations')
				.select('id')
				.where('organisation_id', '=', orgUser.organisationId!)
				.execute();
			expect(ofOrganisation.map((e) => e.id)).toEqual(
				expect.arrayContaining([evaluationId, plannedId])
			);
			expect(own.rows.map((row) => row.id).sort()).toEqual(ofOrganisation.map((e) => e.id).sort());
			const other = await listEvaluations(t.db, otherOrgUser);
			expect(other.rows).toEqual([]);
		});

		it('shows its evaluation read-only: team names, findings once issued, no step or edit', async () => {
			const issued = await getEvaluation(t.db, orgUser, evaluationId);
			expect(issued).toMatchObject({
				readOnly: true,
				steps: [],
				mayEditPlan: false,
				mayRecordFindings: false,
				mayDownloadReport: true,
				decisions: [],
				clauses: []
			});
			expect(issued.findings.length).toBeGreaterThan(0);
			expect(issued.team.every((member) => member.email === '')).toBe(true);
			expect(issued.team.map((member) => member.team_role)).toContain('lead');
			const planned = await getEvaluation(t.db, orgUser, plannedId);
			expect(planned.findings).toEqual([]);
			expect(planned.mayDownloadReport).toBe(false);
		});

		it('never shows another organisation’s evaluation', async () => {
			expect((await refusalOf(getEvaluation(t.db, otherOrgUser, evaluationId))).kind).toBe(
				'NOT_FOUND'
			);
		});
	});
});
