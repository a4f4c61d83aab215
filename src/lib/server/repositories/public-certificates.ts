import { sql } from 'kysely';
import type { Tx } from '../db/tenant-scope';
import { tenantJoin } from './tenant-join';
import { likePattern } from './like';
import { certificatesWithOrganisation } from './joins';

/*
 * What the public verification pages read: public columns only (no findings, no people, no
 * decisions' reasons). The body comes from a SECURITY DEFINER lookup (migration
 * 2026-12-03-17); the certificates are read in that body's tenant scope, so row-level security
 * keeps every other body's rows out of reach whatever these queries say.
 */

export interface PublicBody {
	id: string;
	slug: string;
	name: string;
	time_zone: string;
}

/** The body with this public slug, if any (callable with no tenant chosen). */
export async function findPublicBody(tx: Tx, slug: string): Promise<PublicBody | null> {
	const rows = await sql<PublicBody>`select * from app_public_tenant(${slug})`.execute(tx);
	return rows.rows[0] ?? null;
}

/** The bodies holding a certificate numbered exactly `number` (callable with no tenant chosen). */
export async function findBodiesByCertificateNumber(tx: Tx, number: string) {
	const rows = await sql<PublicBody>`select * from app_certificate_bodies(${number})`.execute(tx);
	return rows.rows;
}

/** The only columns a public page reads of a certificate and what it names. */
const PUBLIC_COLUMNS = [
	'certificates.id',
	'certificates.number',
	'certificates.status',
	'certificates.scope',
	'certificates.grade_level_id',
	'certificates.issued_on',
	'certificates.expires_on',
	'organisations.legal_name as organisation_name',
	'organisations.uscc',
	'standards.code as standard_code',
	'standards.title_zh as standard_title_zh',
	'standards.title_en as standard_title_en',
	'grade_levels.label_zh as grade_zh',
	'grade_levels.label_en as grade_en'
] as const;

function publicCertificates(tx: Tx) {
	return certificatesWithOrganisation(tx)
		.innerJoin('standards', tenantJoin('standards', 'certificates.standard_id'))
		.leftJoin('grade_levels', tenantJoin('grade_levels', 'certificates.grade_level_id'))
		.select(PUBLIC_COLUMNS);
}

export type PublicCertificateRow = Awaited<ReturnType<typeof findPublicCertificate>> & {};

/** The scoped body's certificate numbered exactly `number`. */
export function findPublicCertificate(tx: Tx, number: string) {
	return publicCertificates(tx).where('certificates.number', '=', number).executeTakeFirst();
}

/**
 * The scoped body's certificates whose number or organisation's USCC is `text` exactly, or whose
 * organisation's legal name contains it; at most `limit`, by number.
 */
export function searchPublicCertificates(tx: Tx, text: string, limit: number) {
	return publicCertificates(tx)
		.where((eb) =>
			eb.or([
				eb('certificates.number', '=', text),
				eb('organisations.uscc', '=', text.toUpperCase()),
				eb('organisations.legal_name', 'ilike', likePattern(text))
			])
		)
		.orderBy('certificates.number')
		.limit(limit)
		.execute();
}

/**
 * A certificate's history, the columns the status replay needs, with the grades' names. This
 * body states what it decided: the lines of a transferred certificate's history at the earlier
 * body are that body's to state.
 */
export function listPublicHistory(tx: Tx, certificateId: string) {
	return tx
		.selectFrom('certificate_history')
		.leftJoin('grade_levels', tenantJoin('grade_levels', 'certificate_history.to_grade_level_id'))
		.select([
			'certificate_history.change',
			'certificate_history.to_status',
			'certificate_history.to_grade_level_id',
			'certificate_history.to_scope',
			'certificate_history.effective_on',
			'certificate_history.recorded_at',
			'grade_levels.label_zh as to_grade_zh',
			'grade_levels.label_en as to_grade_en'
		])
		.where('certificate_history.certificate_id', '=', certificateId)
		.where('certificate_history.change', '<>', 'previous_body')
		.orderBy('certificate_history.effective_on')
		.orderBy('certificate_history.recorded_at')
		.execute();
}
