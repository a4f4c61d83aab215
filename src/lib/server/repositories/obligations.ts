import { sql } from 'kysely';
import type { Tx } from '../db/tenant-scope';
import { tenantJoin, tenantCountOf } from './tenant-join';
import { countOf, findRowById } from './query';
import { afterKey, orderOf, type KeysetColumn } from './keyset';

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
	return dueItemsJoined(tx)
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

/** A due item joined to its obligation: the start of every due-item read. */
function dueItemsJoined(tx: Tx) {
	return tx
		.selectFrom('obligation_due_items')
		.innerJoin(
			'recurring_obligations',
			tenantJoin('recurring_obligations', 'obligation_due_items.obligation_id')
		);
}

/** A due item joined to its obligation, with the columns every reader of one needs. */
function dueItemsWithObligation(tx: Tx) {
	return dueItemsJoined(tx).select([
		'obligation_due_items.id',
		'obligation_due_items.obligation_id',
		'obligation_due_items.period_start',
		'obligation_due_items.period_end',
		'obligation_due_items.due_on',
		'obligation_due_items.status',
		'obligation_due_items.submitted_at',
		'obligation_due_items.raised_finding_id',
		'recurring_obligations.organisation_id',
		'recurring_obligations.title_zh',
		'recurring_obligations.title_en'
	]);
}

/** One due item with its obligation, for the services' rules (locked when it is to change). */
export function findDueItem(tx: Tx, itemId: string, options: { forUpdate?: boolean } = {}) {
	let query = dueItemsWithObligation(tx)
		.select('recurring_obligations.active')
		.where('obligation_due_items.id', '=', itemId);
	if (options.forUpdate) query = query.forUpdate('obligation_due_items');
	return query.executeTakeFirst();
}

export type DueItemRow = NonNullable<Awaited<ReturnType<typeof findDueItem>>>;

/** The order of the due-item lists: newest period first, then by title; the id breaks ties. */
export const DUE_ITEM_ORDER: readonly KeysetColumn[] = [
	{ column: 'obligation_due_items.period_start', direction: 'desc' },
	{ column: 'recurring_obligations.title_zh', direction: 'asc' },
	{ column: 'obligation_due_items.id', direction: 'asc' }
];

/**
 * Due items with what the pages show, in DUE_ITEM_ORDER; an organisation's only if given, and
 * (an export reading on) only those after the key (period_start, title_zh, id) `after`.
 */
export function listDueItemsForView(
	tx: Tx,
	options: {
		organisationId?: string;
		since?: string;
		limit: number;
		after?: readonly [string, string, string] | null;
	}
) {
	let query = dueItemsWithObligation(tx)
		.innerJoin(
			'organisations',
			tenantJoin('organisations', 'recurring_obligations.organisation_id')
		)
		.select([
			'obligation_due_items.review_comment',
			'recurring_obligations.cadence',
			'organisations.legal_name as organisation_name'
		])
		.select((eb) =>
			tenantCountOf(
				eb,
				'evidence',
				'evidence.obligation_due_item_id',
				'obligation_due_items.id'
			).as('evidence_count')
		);
	if (options.organisationId)
		query = query.where('recurring_obligations.organisation_id', '=', options.organisationId);
	if (options.since) query = query.where('obligation_due_items.period_start', '>=', options.since);
	if (options.after) query = query.where(afterKey(DUE_ITEM_ORDER, options.after));
	return query.orderBy(orderOf(DUE_ITEM_ORDER)).limit(options.limit).execute();
}

export function setDueItemSubmitted(tx: Tx, itemId: string, submittedAt: Date) {
	return tx
		.updateTable('obligation_due_items')
		.set({
			status: 'submitted',
			submitted_at: submittedAt,
			reviewed_by: null,
			reviewed_at: null,
			review_comment: null
		})
		.where('id', '=', itemId)
		.execute();
}

export function setDueItemReviewed(
	tx: Tx,
	itemId: string,
	review: { status: 'accepted' | 'rejected'; by: string; at: Date; comment: string | null }
) {
	return tx
		.updateTable('obligation_due_items')
		.set({
			status: review.status,
			reviewed_by: review.by,
			reviewed_at: review.at,
			review_comment: review.comment
		})
		.where('id', '=', itemId)
		.execute();
}

export function setDueItemRaisedFinding(tx: Tx, itemId: string, findingId: string) {
	return tx
		.updateTable('obligation_due_items')
		.set({ raised_finding_id: findingId })
		.where('id', '=', itemId)
		.execute();
}

/** Every obligation (active or not), with its organisation's name. */
export function listObligations(tx: Tx, options: { organisationId?: string } = {}) {
	let query = tx
		.selectFrom('recurring_obligations')
		.innerJoin(
			'organisations',
			tenantJoin('organisations', 'recurring_obligations.organisation_id')
		)
		.select([
			'recurring_obligations.id',
			'recurring_obligations.organisation_id',
			'recurring_obligations.title_zh',
			'recurring_obligations.title_en',
			'recurring_obligations.cadence',
			'recurring_obligations.due_day',
			'recurring_obligations.starts_on',
			'recurring_obligations.active',
			'organisations.legal_name as organisation_name'
		]);
	if (options.organisationId)
		query = query.where('recurring_obligations.organisation_id', '=', options.organisationId);
	return query
		.orderBy('organisations.legal_name')
		.orderBy('recurring_obligations.title_zh')
		.execute();
}

/** The obligation, locked for its change. */
export function findObligation(tx: Tx, obligationId: string) {
	return findRowById(tx, 'recurring_obligations', obligationId, { forUpdate: true });
}

export interface ObligationFields {
	titleZh: string;
	titleEn: string;
	cadence: 'weekly' | 'monthly' | 'quarterly';
	dueDay: number;
	startsOn: string;
}

export async function insertObligation(
	tx: Tx,
	tenantId: string,
	organisationId: string,
	fields: ObligationFields
) {
	const row = await tx
		.insertInto('recurring_obligations')
		.values({
			tenant_id: tenantId,
			organisation_id: organisationId,
			title_zh: fields.titleZh,
			title_en: fields.titleEn,
			cadence: fields.cadence,
			due_day: fields.dueDay,
			starts_on: fields.startsOn
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	return row.id;
}

export function updateObligation(
	tx: Tx,
	obligationId: string,
	fields: ObligationFields & { active: boolean }
) {
	return tx
		.updateTable('recurring_obligations')
		.set({
			title_zh: fields.titleZh,
			title_en: fields.titleEn,
			cadence: fields.cadence,
			due_day: fields.dueDay,
			starts_on: fields.startsOn,
			active: fields.active
		})
		.where('id', '=', obligationId)
		.execute();
}

/** The organisation's evaluation a late obligation is raised in: the earliest one under way. */
export function nextEvaluationOf(tx: Tx, organisationId: string) {
	return tx
		.selectFrom('evaluations')
		.select(['id', 'status', 'window_start'])
		.where('organisation_id', '=', organisationId)
		.where('status', 'in', ['in_progress', 'planned'])
		.orderBy(sql`case when status = 'in_progress' then 0 else 1 end`)
		.orderBy('window_start')
		.limit(1)
		.executeTakeFirst();
}

/** The files of one due item, oldest first. */
export function listEvidenceOfDueItem(tx: Tx, itemId: string) {
	return evidenceOfDueItem(tx, itemId)
		.select(['id', 'original_name', 'size_bytes', 'uploaded_at', 'integrity_status'])
		.orderBy('uploaded_at')
		.orderBy('id')
		.execute();
}

export function countEvidenceOfDueItem(tx: Tx, itemId: string): Promise<number> {
	return countOf(evidenceOfDueItem(tx, itemId));
}

function evidenceOfDueItem(tx: Tx, itemId: string) {
	return tx.selectFrom('evidence').where('obligation_due_item_id', '=', itemId);
}
