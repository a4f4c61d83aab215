import type { Tx } from '../db/tenant-scope';
import { certificatesWithOrganisation } from './joins';

/* What the event messages (SPEC §4) read about their subjects; recipients come from ./recipients. */

export async function organisationName(tx: Tx, organisationId: string): Promise<string> {
	const row = await tx
		.selectFrom('organisations')
		.select('legal_name')
		.where('id', '=', organisationId)
		.executeTakeFirstOrThrow();
	return row.legal_name;
}

/** How many open nonconformities an evaluation raised, and the earliest due date among them. */
export async function openNonconformitySummary(
	tx: Tx,
	evaluationId: string
): Promise<{ count: number; firstDueOn: string | null }> {
	const rows = await tx
		.selectFrom('findings')
		.select('due_on')
		.where('evaluation_id', '=', evaluationId)
		.where('kind', '=', 'nonconformity')
		.where('status', '!=', 'closed')
		.execute();
	const dates = rows.flatMap((row) => (row.due_on ? [row.due_on] : [])).sort();
	return { count: rows.length, firstDueOn: dates[0] ?? null };
}

/** The certificate's number and organisation. */
export function certificateForMessage(tx: Tx, certificateId: string) {
	return certificatesWithOrganisation(tx)
		.select([
			'certificates.number',
			'certificates.organisation_id',
			'organisations.legal_name as organisation_name'
		])
		.where('certificates.id', '=', certificateId)
		.executeTakeFirstOrThrow();
}
