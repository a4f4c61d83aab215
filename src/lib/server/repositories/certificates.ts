import type { Tx } from '../db/tenant-scope';
import type { CertificateStatus } from '../../../../db/schema';

export interface CertificateFilter {
	organisationId?: string | null;
	status?: CertificateStatus;
}

export function listCertificates(tx: Tx, filter: CertificateFilter = {}) {
	let query = tx
		.selectFrom('certificates')
		.innerJoin('organisations', (join) =>
			join
				.onRef('organisations.tenant_id', '=', 'certificates.tenant_id')
				.onRef('organisations.id', '=', 'certificates.organisation_id')
		)
		.innerJoin('standards', (join) =>
			join
				.onRef('standards.tenant_id', '=', 'certificates.tenant_id')
				.onRef('standards.id', '=', 'certificates.standard_id')
		)
		.leftJoin('grade_levels', (join) =>
			join
				.onRef('grade_levels.tenant_id', '=', 'certificates.tenant_id')
				.onRef('grade_levels.id', '=', 'certificates.grade_level_id')
		)
		.select([
			'certificates.id',
			'certificates.number',
			'certificates.scope',
			'certificates.status',
			'certificates.issued_on',
			'certificates.expires_on',
			'certificates.organisation_id',
			'organisations.legal_name as organisation_name',
			'standards.code as standard_code',
			'standards.title_zh as standard_title_zh',
			'standards.title_en as standard_title_en',
			'grade_levels.label_zh as grade_zh',
			'grade_levels.label_en as grade_en'
		])
		.orderBy('certificates.number');
	if (filter.organisationId)
		query = query.where('certificates.organisation_id', '=', filter.organisationId);
	if (filter.status) query = query.where('certificates.status', '=', filter.status);
	return query.execute();
}
