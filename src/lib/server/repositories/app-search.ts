import { sql } from 'kysely';
import type { Tx } from '../db/tenant-scope';
import type { EvaluationStatus } from '../../../../db/schema';
import { likePattern } from './like';
import { tenantJoin } from './tenant-join';

/*
 * The header's search (issue 11 §5): one query per kind, each at most `limit` rows, matching the
 * text anywhere (case-insensitive). Row-level security keeps the tenant; `organisationId` keeps an
 * organisation's users to their own organisation, `released` to the findings they may open.
 */

export interface SearchScope {
	text: string;
	limit: number;
	organisationId: string | null;
	/** For organisation users: the evaluation statuses whose findings they see. */
	released: readonly EvaluationStatus[] | null;
}

export function searchCertificates(tx: Tx, scope: SearchScope) {
	return tx
		.selectFrom('certificates')
		.innerJoin('organisations', tenantJoin('organisations', 'certificates.organisation_id'))
		.select([
			'certificates.id',
			'certificates.number',
			'certificates.status',
			'organisations.legal_name as organisation_name'
		])
		.where('certificates.number', 'ilike', likePattern(scope.text))
		.$if(scope.organisationId !== null, (q) =>
			q.where('certificates.organisation_id', '=', scope.organisationId!)
		)
		.orderBy('certificates.number')
		.orderBy('certificates.id')
		.limit(scope.limit)
		.execute();
}

export function searchOrganisations(tx: Tx, scope: SearchScope) {
	const pattern = likePattern(scope.text);
	return tx
		.selectFrom('organisations')
		.select(['organisations.id', 'organisations.legal_name', 'organisations.uscc'])
		.where((eb) =>
			eb.or([
				eb('organisations.legal_name', 'ilike', pattern),
				eb('organisations.uscc', 'ilike', pattern)
			])
		)
		.$if(scope.organisationId !== null, (q) =>
			q.where('organisations.id', '=', scope.organisationId!)
		)
		.orderBy('organisations.legal_name')
		.orderBy('organisations.id')
		.limit(scope.limit)
		.execute();
}

export function searchFindings(tx: Tx, scope: SearchScope) {
	return tx
		.selectFrom('findings')
		.innerJoin('evaluations', tenantJoin('evaluations', 'findings.evaluation_id'))
		.innerJoin('organisations', tenantJoin('organisations', 'evaluations.organisation_id'))
		.select([
			'findings.id',
			'findings.reference',
			'findings.kind',
			'findings.grade',
			'findings.status',
			'organisations.legal_name as organisation_name'
		])
		.where('findings.reference', 'ilike', likePattern(scope.text))
		.$if(scope.organisationId !== null, (q) =>
			q.where('evaluations.organisation_id', '=', scope.organisationId!)
		)
		.$if(scope.released !== null, (q) => q.where('evaluations.status', 'in', [...scope.released!]))
		.orderBy('findings.reference')
		.orderBy('findings.id')
		.limit(scope.limit)
		.execute();
}

/** Evaluations by their reference (`2026-S1`) or the number of the certificate they evaluate. */
export function searchEvaluations(tx: Tx, scope: SearchScope) {
	const pattern = likePattern(scope.text);
	return tx
		.selectFrom('evaluations')
		.innerJoin('organisations', tenantJoin('organisations', 'evaluations.organisation_id'))
		.leftJoin('certificates', tenantJoin('certificates', 'evaluations.certificate_id'))
		.select([
			'evaluations.id',
			'evaluations.reference',
			'evaluations.kind',
			'evaluations.status',
			sql<string>`to_char(evaluations.window_start, 'YYYY-MM-DD')`.as('window_start'),
			'certificates.number as certificate_number',
			'organisations.legal_name as organisation_name'
		])
		.where((eb) =>
			eb.or([
				eb('evaluations.reference', 'ilike', pattern),
				eb('certificates.number', 'ilike', pattern)
			])
		)
		.$if(scope.organisationId !== null, (q) =>
			q.where('evaluations.organisation_id', '=', scope.organisationId!)
		)
		.orderBy('evaluations.window_start', 'desc')
		.orderBy('evaluations.id')
		.limit(scope.limit)
		.execute();
}
