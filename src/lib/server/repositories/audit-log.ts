import { sql } from 'kysely';
import type { Tx } from '../db/tenant-scope';

/*
 * Reading the audit log as a whole (the audit page, chain verification, CSV export). Writing
 * stays in repositories/audit.ts. Every read walks the primary key (tenant_id, seq) by keyset,
 * so a tenant with millions of entries is read in bounded batches.
 */

/** Filters shared by the audit page and the CSV export; dates are days in the tenant's zone. */
export interface AuditLogFilters {
	entityType?: string;
	action?: string;
	/** A user id, or 'system' for entries written without a person (jobs). */
	actor?: string;
	from?: string;
	to?: string;
}

export const SYSTEM_ACTOR = 'system';

/** Timestamps as ISO 8601 in UTC with the microseconds the hash covers. */
const isoCreatedAt = sql<string>`to_char(audit_log.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

function filteredLog(tx: Tx, tenantId: string, filters: AuditLogFilters, timeZone: string) {
	let query = tx.selectFrom('audit_log').where('audit_log.tenant_id', '=', tenantId);
	if (filters.entityType) query = query.where('audit_log.entity_type', '=', filters.entityType);
	if (filters.action) query = query.where('audit_log.action', '=', filters.action);
	if (filters.actor === SYSTEM_ACTOR) query = query.where('audit_log.actor_user_id', 'is', null);
	else if (filters.actor) query = query.where('audit_log.actor_user_id', '=', filters.actor);
	// A day runs from midnight to midnight in the tenant's zone, not in UTC.
	if (filters.from)
		query = query.where(
			'audit_log.created_at',
			'>=',
			sql<Date>`(${filters.from}::date::timestamp at time zone ${timeZone})`
		);
	if (filters.to)
		query = query.where(
			'audit_log.created_at',
			'<',
			sql<Date>`((${filters.to}::date + 1)::timestamp at time zone ${timeZone})`
		);
	return query;
}

export interface AuditLogRow {
	seq: string;
	action: string;
	entity_type: string;
	entity_id: string;
	before: unknown;
	after: unknown;
	created_at: string;
	actor_user_id: string | null;
	actor_name: string | null;
	actor_email: string | null;
}

/**
 * One page of entries, newest first. `before` pages towards older entries (seq < before);
 * `after` towards newer ones (seq > after); one more row than `limit` tells whether more follow.
 */
export async function listAuditLogPage(
	tx: Tx,
	tenantId: string,
	filters: AuditLogFilters,
	timeZone: string,
	cursor: { before?: number; after?: number },
	limit: number
): Promise<AuditLogRow[]> {
	let query = filteredLog(tx, tenantId, filters, timeZone)
		.leftJoin('users', 'users.id', 'audit_log.actor_user_id')
		.select([
			sql<string>`audit_log.seq::text`.as('seq'),
			'audit_log.action',
			'audit_log.entity_type',
			'audit_log.entity_id',
			'audit_log.before',
			'audit_log.after',
			isoCreatedAt.as('created_at'),
			'audit_log.actor_user_id',
			'users.name as actor_name',
			'users.email as actor_email'
		])
		.limit(limit + 1);
	if (cursor.after !== undefined)
		query = query.where('audit_log.seq', '>', String(cursor.after)).orderBy('audit_log.seq', 'asc');
	else {
		if (cursor.before !== undefined)
			query = query.where('audit_log.seq', '<', String(cursor.before));
		query = query.orderBy('audit_log.seq', 'desc');
	}
	return query.execute();
}

export interface AuditExportRow {
	seq: string;
	created_at: string;
	actor_email: string | null;
	actor_name: string | null;
	action: string;
	entity_type: string;
	entity_id: string;
	/** The jsonb text exactly as the hash covers it. */
	before: string | null;
	after: string | null;
	prev_hash: string;
	hash: string;
}

/** The next batch of the export, oldest first: seq in (afterSeq, upToSeq]. */
export function auditExportBatch(
	tx: Tx,
	tenantId: string,
	filters: AuditLogFilters,
	timeZone: string,
	afterSeq: number,
	upToSeq: number,
	limit: number
): Promise<AuditExportRow[]> {
	return filteredLog(tx, tenantId, filters, timeZone)
		.leftJoin('users', 'users.id', 'audit_log.actor_user_id')
		.select([
			sql<string>`audit_log.seq::text`.as('seq'),
			isoCreatedAt.as('created_at'),
			'users.email as actor_email',
			'users.name as actor_name',
			'audit_log.action',
			'audit_log.entity_type',
			'audit_log.entity_id',
			sql<string | null>`audit_log.before::text`.as('before'),
			sql<string | null>`audit_log.after::text`.as('after'),
			'audit_log.prev_hash',
			'audit_log.hash'
		])
		.where('audit_log.seq', '>', String(afterSeq))
		.where('audit_log.seq', '<=', String(upToSeq))
		.orderBy('audit_log.seq', 'asc')
		.limit(limit)
		.execute();
}

export interface ChainHead {
	seq: number;
	hash: string;
}

/** The tenant's chain head as the chaining trigger left it, or null before the first entry. */
export async function findChainHead(tx: Tx, tenantId: string): Promise<ChainHead | null> {
	const row = await tx
		.selectFrom('audit_chain_heads')
		.select([sql<string>`seq::text`.as('seq'), 'hash'])
		.where('tenant_id', '=', tenantId)
		.executeTakeFirst();
	return row ? { seq: Number(row.seq), hash: row.hash } : null;
}

export interface ChainCheckRow {
	seq: string;
	hash: string;
	/** seq follows the previous entry's (or `afterSeq`) by exactly one. */
	contiguous: boolean;
	/** prev_hash equals the previous entry's hash (or `afterHash`). */
	linked: boolean;
	/** audit_entry_hash over the stored content equals the stored hash. */
	intact: boolean;
}

/**
 * The next batch of the chain after (afterSeq, afterHash), each entry checked in SQL against its
 * predecessor and against the hash recomputed from its stored content.
 */
export async function checkChainBatch(
	tx: Tx,
	tenantId: string,
	afterSeq: number,
	afterHash: string,
	upToSeq: number,
	limit: number
): Promise<ChainCheckRow[]> {
	const { rows } = await sql<ChainCheckRow>`
	  select b.seq::text as seq, b.hash,
	    b.seq = coalesce(lag(b.seq) over w, ${afterSeq}::bigint) + 1 as contiguous,
	    b.prev_hash = coalesce(lag(b.hash) over w, ${afterHash}::char(64)) as linked,
	    audit_entry_hash(b.prev_hash, b.tenant_id, b.seq, b.actor_user_id, b.action, b.entity_type,
	      b.entity_id, b.before, b.after, b.created_at) = b.hash as intact
	  from (
	    select * from audit_log
	    where tenant_id = ${tenantId} and seq > ${afterSeq}::bigint and seq <= ${upToSeq}::bigint
	    order by seq limit ${limit}
	  ) b
	  window w as (order by b.seq)
	  order by b.seq`.execute(tx);
	return rows;
}

/**
 * The first entry past the chain head (one inserted without the chaining trigger), or null. One
 * statement, so one snapshot: a genuine append commits its entry and the head's move together.
 */
export async function findEntryBeyondHead(tx: Tx, tenantId: string): Promise<number | null> {
	const row = await tx
		.selectFrom('audit_log')
		.select((eb) => eb.fn.min('audit_log.seq').as('seq'))
		.where('audit_log.tenant_id', '=', tenantId)
		.where((eb) =>
			eb(
				'audit_log.seq',
				'>',
				eb.fn.coalesce(
					eb
						.selectFrom('audit_chain_heads')
						.select('audit_chain_heads.seq')
						.where('audit_chain_heads.tenant_id', '=', tenantId),
					eb.val('0')
				)
			)
		)
		.executeTakeFirst();
	return row?.seq === null || row?.seq === undefined ? null : Number(row.seq);
}

/** The people who can appear as actors: the tenant's members, for the page's actor filter. */
export function listAuditActors(tx: Tx) {
	return tx
		.selectFrom('memberships')
		.innerJoin('users', 'users.id', 'memberships.user_id')
		.select(['users.id', 'users.name', 'users.email'])
		.distinct()
		.orderBy('users.name')
		.orderBy('users.email')
		.execute();
}
