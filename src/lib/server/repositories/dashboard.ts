import { sql } from 'kysely';
import type { Tx } from '../db/tenant-scope';
import type { EvaluationStatus } from '../../../../db/schema';
import { tenantJoin } from './tenant-join';

/*
 * The dashboard's counts. Row-level security already limits them to the tenant; an
 * `organisationId` limits them further to one organisation (for its own users).
 */

export function countOrganisations(tx: Tx, organisationId: string | null) {
	return tx
		.selectFrom('organisations')
		.select((eb) => eb.fn.countAll<string>().as('n'))
		.$if(organisationId !== null, (q) => q.where('organisations.id', '=', organisationId!))
		.executeTakeFirstOrThrow();
}

export function countCertificatesByStatus(tx: Tx, organisationId: string | null) {
	return tx
		.selectFrom('certificates')
		.select([
			sql<string>`count(*) filter (where certificates.status = 'active')`.as('active'),
			sql<string>`count(*) filter (where certificates.status = 'suspended')`.as('suspended')
		])
		.$if(organisationId !== null, (q) =>
			q.where('certificates.organisation_id', '=', organisationId!)
		)
		.executeTakeFirstOrThrow();
}

/**
 * Open, overdue (due before `today`) and open major nonconformities. `visibleStatuses`, when
 * given, keeps only findings of evaluations in those statuses: an organisation sees a finding
 * once its report is issued (services/finding-access.ts), so it counts no others.
 */
export function countOpenNonconformities(
	tx: Tx,
	organisationId: string | null,
	today: string,
	visibleStatuses: readonly EvaluationStatus[] | null
) {
	return tx
		.selectFrom('findings')
		.innerJoin('evaluations', tenantJoin('evaluations', 'findings.evaluation_id'))
		.select([
			sql<string>`count(*) filter (where findings.status <> 'closed')`.as('open'),
			sql<string>`count(*) filter (where findings.status <> 'closed' and findings.due_on < ${today})`.as(
				'overdue'
			),
			sql<string>`count(*) filter (where findings.status <> 'closed' and findings.grade = 'major')`.as(
				'majors'
			)
		])
		.where('findings.kind', '=', 'nonconformity')
		.$if(organisationId !== null, (q) =>
			q.where('evaluations.organisation_id', '=', organisationId!)
		)
		.$if(visibleStatuses !== null, (q) =>
			q.where('evaluations.status', 'in', [...visibleStatuses!])
		)
		.executeTakeFirstOrThrow();
}
