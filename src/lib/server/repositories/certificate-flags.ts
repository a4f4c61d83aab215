import { sql, type ExpressionBuilder } from 'kysely';
import type { Database } from '../../../../db/schema';
import type { Tx } from '../db/tenant-scope';
import { tenantJoinBack, tenantRowsOf } from './tenant-join';
import { certificatesWithOrganisation, findingsWithEvaluation } from './joins';

/*
 * What the certificate flags of the chase rest on: the flagged certificates, the findings whose
 * "suspension due" stage fired (the reminders table records each firing), and the suspension a
 * withdrawal proposal counts from.
 */

/** Active or suspended certificates carrying a flag, the most urgent first. */
export function flaggedCertificates(tx: Tx, limit: number) {
	return certificatesWithOrganisation(tx)
		.select([
			'certificates.id',
			'certificates.number',
			'certificates.status',
			'certificates.suspension_due_by',
			'certificates.withdrawal_proposed_on',
			'organisations.legal_name as organisation_name'
		])
		.where((eb) =>
			eb.or([
				eb.and([
					eb('certificates.status', '=', 'active'),
					eb('certificates.suspension_due_by', 'is not', null)
				]),
				eb.and([
					eb('certificates.status', '=', 'suspended'),
					eb('certificates.withdrawal_proposed_on', 'is not', null)
				])
			])
		)
		.orderBy(
			sql`coalesce(certificates.suspension_due_by, certificates.withdrawal_proposed_on)`,
			'asc'
		)
		.orderBy('certificates.number')
		.limit(limit)
		.execute();
}

/** The findings whose overdue raised "suspension due" on these certificates, oldest due first. */
export function suspensionCauses(tx: Tx, certificateIds: string[]) {
	if (certificateIds.length === 0) return Promise.resolve([]);
	return findingsWithEvaluation(tx)
		.innerJoin('reminders', tenantJoinBack('reminders', 'reminders.subject_id', 'findings'))
		.select([
			'evaluations.certificate_id',
			'evaluations.kind as evaluation_kind',
			'evaluations.window_start as evaluation_window_start',
			'findings.id',
			'findings.reference',
			'findings.grade',
			'findings.status',
			'findings.due_on',
			'reminders.fired_on'
		])
		.where('reminders.subject_kind', '=', 'finding')
		.where('reminders.stage', '=', 'suspension_due')
		.where('evaluations.certificate_id', 'in', certificateIds)
		.orderBy('findings.due_on')
		.orderBy('findings.reference')
		.execute();
}

/**
 * The day the outer query's certificate's current suspension began (its latest move to
 * "suspended"): what a withdrawal proposal and the chase's suspension clock count from.
 */
export function suspensionStart(eb: ExpressionBuilder<Database, 'certificates'>) {
	return tenantRowsOf(
		eb,
		'certificate_history',
		'certificate_history.certificate_id',
		'certificates.id'
	)
		.select((history) => history.fn.max<string | null>('certificate_history.effective_on').as('on'))
		.where('certificate_history.to_status', '=', 'suspended');
}

/** The day the certificate's current suspension began; null when it never was suspended. */
export async function suspendedSince(tx: Tx, certificateId: string): Promise<string | null> {
	const row = await tx
		.selectFrom('certificates')
		.select((eb) => suspensionStart(eb).as('on'))
		.where('certificates.id', '=', certificateId)
		.executeTakeFirst();
	return row?.on ?? null;
}
