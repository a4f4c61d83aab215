import type { Tx } from '../db/tenant-scope';
import { tenantJoin } from './tenant-join';

/** Active recurring obligations, with their organisation's name. */
export function activeObligations(tx: Tx) {
	return tx
		.selectFrom('recurring_obligations')
		.select(['id', 'organisation_id', 'title_zh', 'title_en', 'cadence', 'due_day', 'starts_on'])
		.where('active', '=', true)
		.execute();
}

/** Creates the due items that do not exist yet; returns those created. */
export async function insertDueItems(
	tx: Tx,
	tenantId: string,
	items: { obligationId: string; periodStart: string; periodEnd: string; dueOn: string }[]
) {
	if (items.length === 0) return [];
	return tx
		.insertInto('obligation_due_items')
		.values(
			items.map((item) => ({
				tenant_id: tenantId,
				obligation_id: item.obligationId,
				period_start: item.periodStart,
				period_end: item.periodEnd,
				due_on: item.dueOn
			}))
		)
		.onConflict((oc) => oc.columns(['tenant_id', 'obligation_id', 'period_start']).doNothing())
		.returning(['id', 'obligation_id', 'period_start', 'due_on'])
		.execute();
}

/** Items not fulfilled yet (pending or rejected) due on or before `lastDay`. */
export function unfulfilledDueItemsBy(tx: Tx, lastDay: string) {
	return tx
		.selectFrom('obligation_due_items')
		.innerJoin(
			'recurring_obligations',
			tenantJoin('recurring_obligations', 'obligation_due_items.obligation_id')
		)
		.select([
			'obligation_due_items.id',
			'obligation_due_items.period_start',
			'obligation_due_items.period_end',
			'obligation_due_items.due_on',
			'recurring_obligations.organisation_id',
			'recurring_obligations.title_zh',
			'recurring_obligations.title_en'
		])
		.where('obligation_due_items.status', 'in', ['pending', 'rejected'])
		.where('obligation_due_items.due_on', '<=', lastDay)
		.where('recurring_obligations.active', '=', true)
		.forShare('obligation_due_items')
		.execute();
}

/** The body's view: every due item of an organisation (or all), newest period first. */
export function listDueItems(tx: Tx, options: { organisationId?: string } = {}) {
	let query = tx
		.selectFrom('obligation_due_items')
		.innerJoin(
			'recurring_obligations',
			tenantJoin('recurring_obligations', 'obligation_due_items.obligation_id')
		)
		.select([
			'obligation_due_items.id',
			'obligation_due_items.obligation_id',
			'obligation_due_items.period_start',
			'obligation_due_items.period_end',
			'obligation_due_items.due_on',
			'obligation_due_items.status',
			'obligation_due_items.submitted_at',
			'recurring_obligations.organisation_id',
			'recurring_obligations.title_zh',
			'recurring_obligations.title_en'
		]);
	if (options.organisationId)
		query = query.where('recurring_obligations.organisation_id', '=', options.organisationId);
	return query.orderBy('obligation_due_items.period_start', 'desc').execute();
}
