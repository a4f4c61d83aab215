import { sql } from 'kysely';
import type { Tx } from '../db/tenant-scope';
import type { DocumentKind, Locale } from '../../../../db/schema';
import { tenantJoin } from './tenant-join';

/* Generated PDFs (migration 2026-12-04-07-documents) and the letterhead they are printed on. */

/** What a printed document's header shows of the scoped body. */
export function findLetterhead(tx: Tx, tenantId: string) {
	return tx
		.selectFrom('tenants')
		.select(['id', 'slug', 'name', 'name_en', 'logo', 'logo_type', 'time_zone'])
		.where('id', '=', tenantId)
		.executeTakeFirst();
}

export interface NewDocument {
	tenantId: string;
	kind: DocumentKind;
	subjectId: string;
	sha256: Uint8Array;
	code: string;
	generatedAt: Date;
	generatedBy: string | null;
	locale: Locale;
}

export function insertDocument(tx: Tx, document: NewDocument) {
	return tx
		.insertInto('documents')
		.values({
			tenant_id: document.tenantId,
			kind: document.kind,
			certificate_id: document.kind === 'certificate' ? document.subjectId : null,
			evaluation_id: document.kind === 'evaluation_report' ? document.subjectId : null,
			finding_id: document.kind === 'nonconformity_report' ? document.subjectId : null,
			sha256: document.sha256,
			code: document.code,
			generated_at: document.generatedAt,
			generated_by: document.generatedBy,
			locale: document.locale
		})
		.returning(['id'])
		.executeTakeFirstOrThrow();
}

/** Which tenant holds the document with this hash or this code (callable with no tenant chosen). */
export async function findDocumentTenant(
	tx: Tx,
	lookup: { sha256: Uint8Array | null; code: string | null }
) {
	const rows = await sql<{ tenant_id: string; id: string }>`
		select * from app_document_find(${lookup.sha256 ? Buffer.from(lookup.sha256) : null}::bytea, ${lookup.code}::text)`.execute(
		tx
	);
	return rows.rows[0] ?? null;
}

/** The scoped body's document `id` with the public names of what it is of. */
export function findDocumentFacts(tx: Tx, id: string) {
	return tx
		.selectFrom('documents')
		.innerJoin('tenants', 'tenants.id', 'documents.tenant_id')
		.leftJoin('certificates', tenantJoin('certificates', 'documents.certificate_id'))
		.leftJoin('evaluations', tenantJoin('evaluations', 'documents.evaluation_id'))
		.leftJoin('findings', tenantJoin('findings', 'documents.finding_id'))
		.select([
			'documents.id',
			'documents.kind',
			'documents.code',
			'documents.generated_at',
			'documents.locale',
			'tenants.name as body_name',
			'tenants.name_en as body_name_en',
			'tenants.time_zone',
			'certificates.number as certificate_number',
			'evaluations.reference as evaluation_reference',
			'evaluations.kind as evaluation_kind',
			'findings.reference as finding_reference'
		])
		.where('documents.id', '=', id)
		.executeTakeFirst();
}

/** The scoped body's certificate numbered exactly `number`: its id. */
export async function findCertificateIdByNumber(tx: Tx, number: string) {
	const row = await tx
		.selectFrom('certificates')
		.select('id')
		.where('number', '=', number)
		.executeTakeFirst();
	return row?.id ?? null;
}
