import type { Tx } from '../db/tenant-scope';
import { tenantJoin } from './tenant-join';
import { leadOf } from './joins';

/** Evidence with its finding, if it has one (an obligation's evidence has none). */
function evidenceWithFinding(tx: Tx) {
	return tx
		.selectFrom('evidence')
		.leftJoin('findings', tenantJoin('findings', 'evidence.finding_id'));
}

/**
 * An evidence row with what its verification needs: the finding and its lead evaluator, or, for
 * the evidence of an obligation's due item, the obligation (reviewed from the obligations page).
 */
export function findEvidenceForCheck(tx: Tx, evidenceId: string) {
	return evidenceWithFinding(tx)
		.leftJoin(
			'obligation_due_items',
			tenantJoin('obligation_due_items', 'evidence.obligation_due_item_id')
		)
		.leftJoin(
			'recurring_obligations',
			tenantJoin('recurring_obligations', 'obligation_due_items.obligation_id')
		)
		.select([
			'recurring_obligations.organisation_id as obligation_organisation_id',
			'recurring_obligations.title_zh as obligation_title_zh',
			'recurring_obligations.title_en as obligation_title_en',
			'obligation_due_items.period_start as obligation_period_start',
			'evidence.id',
			'evidence.sha256',
			'evidence.size_bytes',
			'evidence.detected_type',
			'evidence.original_name',
			'evidence.integrity_status',
			'evidence.integrity_checked_at',
			'evidence.uploaded_at',
			'evidence.finding_id',
			'evidence.obligation_due_item_id',
			'findings.reference'
		])
		.select((eb) => leadOf(eb, 'findings.evaluation_id').as('lead_user_id'))
		.where('evidence.id', '=', evidenceId)
		.executeTakeFirst();
}

/** The earliest evidence of the tenant with the same content, uploaded before this one. */
export function findEarlierDuplicate(
	tx: Tx,
	evidence: { id: string; sha256: string; uploadedAt: Date }
) {
	const { id: evidenceId, sha256, uploadedAt } = evidence;
	return evidenceWithFinding(tx)
		.select(['evidence.id', 'findings.reference'])
		.where('evidence.sha256', '=', sha256)
		.where('evidence.id', '<>', evidenceId)
		.where((eb) =>
			eb.or([
				eb('evidence.uploaded_at', '<', uploadedAt),
				eb.and([eb('evidence.uploaded_at', '=', uploadedAt), eb('evidence.id', '<', evidenceId)])
			])
		)
		.orderBy('evidence.uploaded_at')
		.orderBy('evidence.id')
		.limit(1)
		.executeTakeFirst();
}

export async function recordIntegrity(
	tx: Tx,
	evidenceId: string,
	result: {
		status: 'verified' | 'rejected';
		detail: string;
		duplicateOfId: string | null;
		checkedAt: Date;
	}
) {
	await tx
		.updateTable('evidence')
		.set({
			integrity_status: result.status,
			integrity_detail: result.detail,
			duplicate_of_id: result.duplicateOfId,
			integrity_checked_at: result.checkedAt
		})
		.where('id', '=', evidenceId)
		.execute();
}

/** Evidence never checked, uploaded before `before`: the sweep's safety net for lost jobs. */
export async function uncheckedEvidenceIds(tx: Tx, before: Date, limit = 100): Promise<string[]> {
	const rows = await tx
		.selectFrom('evidence')
		.select('id')
		.where('integrity_checked_at', 'is', null)
		.where('removed_at', 'is', null)
		.where('uploaded_at', '<', before)
		.orderBy('uploaded_at')
		.limit(limit)
		.execute();
	return rows.map((row) => row.id);
}
