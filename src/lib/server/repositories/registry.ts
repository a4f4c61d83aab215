import { sql } from 'kysely';
import type { Tx } from '../db/tenant-scope';
import type { CertificateStatus } from '../../../../db/schema';
import { tenantJoin } from './tenant-join';

/*
 * The certificate changes of a period for the registry exports (domain/registry-export.ts): one
 * row per certificate_history line whose change took effect in the period, with the certificate,
 * its organisation and standard, and the decision behind the change. Ordered by the day it took
 * effect, then as recorded; read in batches by keyset on that order.
 */

export interface RegistryChangeFilter {
	from: string;
	to: string;
	/** The last row of the previous batch: rows after it, in the file's order. */
	afterId?: string | null;
	limit: number;
}

export async function listRegistryChanges(tx: Tx, filter: RegistryChangeFilter) {
	let query = tx
		.selectFrom('certificate_history as h')
		.innerJoin('certificates', (join) =>
			join
				.onRef('certificates.tenant_id', '=', 'h.tenant_id')
				.onRef('certificates.id', '=', 'h.certificate_id')
		)
		.innerJoin('organisations', tenantJoin('organisations', 'certificates.organisation_id'))
		.innerJoin('standards', tenantJoin('standards', 'certificates.standard_id'))
		.leftJoin('decisions', (join) =>
			join
				.onRef('decisions.tenant_id', '=', 'h.tenant_id')
				.onRef('decisions.id', '=', 'h.decision_id')
		)
		.select([
			'h.id as history_id',
			'h.change',
			'h.effective_on',
			'certificates.id as certificate_id',
			'certificates.number',
			'certificates.issued_on',
			'certificates.expires_on',
			'organisations.legal_name',
			'organisations.uscc',
			'organisations.address',
			'standards.code as standard_code',
			'standards.title_zh as standard_title_zh',
			'standards.title_en as standard_title_en',
			'decisions.kind as decision_kind',
			'decisions.reason as decision_reason'
		])
		// A grade line carries no status and a status line no scope: what was in force after the
		// change is the latest one set at or before it (in the same order), else today's.
		.select([
			sql<CertificateStatus>`coalesce(h.to_status, (
				select p.to_status from certificate_history p
				where p.tenant_id = h.tenant_id and p.certificate_id = h.certificate_id
				  and p.to_status is not null
				  and (p.effective_on, p.recorded_at, p.id) <= (h.effective_on, h.recorded_at, h.id)
				order by p.effective_on desc, p.recorded_at desc, p.id desc limit 1
			), certificates.status)`.as('status'),
			sql<string>`coalesce(h.to_scope, (
				select p.to_scope from certificate_history p
				where p.tenant_id = h.tenant_id and p.certificate_id = h.certificate_id
				  and p.to_scope is not null
				  and (p.effective_on, p.recorded_at, p.id) <= (h.effective_on, h.recorded_at, h.id)
				order by p.effective_on desc, p.recorded_at desc, p.id desc limit 1
			), certificates.scope)`.as('scope'),
			sql<string | null>`(
				select min(p.effective_on) from certificate_history p
				where p.tenant_id = h.tenant_id and p.certificate_id = h.certificate_id
				  and p.change = 'issued'
			)`.as('original_issued_on')
		])
		.where('h.effective_on', '>=', filter.from)
		.where('h.effective_on', '<=', filter.to)
		// An `imported` line records a certificate CertTrack took over, not a change of it: the
		// registries had it since its issue. (A transfer from another body is a change: reported.)
		// A `previous_body` line happened at that other body, which reported it itself.
		.where('h.change', 'not in', ['imported', 'previous_body']);
	if (filter.afterId)
		// The keyset compares with the previous row as stored (recorded_at to the microsecond).
		query = query.where(
			sql<boolean>`(h.effective_on, h.recorded_at, h.id) > (
				select a.effective_on, a.recorded_at, a.id from certificate_history a
				where a.id = ${filter.afterId}::uuid)`
		);
	return query
		.orderBy('h.effective_on')
		.orderBy('h.recorded_at')
		.orderBy('h.id')
		.limit(filter.limit)
		.execute();
}

export type RegistryChangeRow = Awaited<ReturnType<typeof listRegistryChanges>>[number];

/** Who accredits the transaction's body (tenants.accreditation_body; '' = not accredited). */
export async function findAccreditationBody(tx: Tx, tenantId: string): Promise<string> {
	const row = await tx
		.selectFrom('tenants')
		.select('accreditation_body')
		.where('id', '=', tenantId)
		.executeTakeFirst();
	return row?.accreditation_body ?? '';
}
