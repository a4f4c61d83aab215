import { sql } from 'kysely';
import type { Tx } from '../db/tenant-scope';
import type { Locale, OutboxStatus } from '../../../../db/schema';

/*
 * The transactional outbox. Messages are written with the change that causes them; delivery
 * claims rows under a lease (FOR UPDATE SKIP LOCKED, then commit), sends outside any
 * transaction, and marks them. A worker that dies mid-send leaves a lease that runs out: the row
 * is claimed again and resent with the same Message-ID — duplicated at worst, never lost.
 */

export interface NewOutboxRow {
	id: string;
	tenantId: string;
	dedupeKey: string;
	template: string;
	toEmail: string;
	locale: Locale;
	subject: string;
	link: string;
	messageId: string;
	recipientUserId: string | null;
	/** 'held' waits for the person's daily digest. */
	status: 'pending' | 'held';
	/** What the delivery renders the text and HTML from (mail/outbox.ts `StoredParams`). */
	params: Readonly<Record<string, unknown>>;
}

/** Rows per statement: ~0.5 KB of JSON each, so a statement stays well under a megabyte. */
const INSERT_CHUNK = 2000;

/**
 * Inserts messages; a dedupe key already present is skipped. Returns the ids written that are
 * pending delivery. Set-based: each chunk travels as ONE JSON parameter unpacked by
 * json_to_recordset (a multi-row VALUES list costs a bound parameter per cell, and the same on
 * PostgreSQL and PGlite).
 */
export async function insertOutboxRows(tx: Tx, rows: NewOutboxRow[]): Promise<string[]> {
	const written: string[] = [];
	for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
		const chunk = rows.slice(i, i + INSERT_CHUNK).map((row) => ({
			id: row.id,
			tenant_id: row.tenantId,
			dedupe_key: row.dedupeKey,
			template: row.template,
			to_email: row.toEmail,
			locale: row.locale,
			subject: row.subject,
			link: row.link,
			message_id: row.messageId,
			recipient_user_id: row.recipientUserId,
			status: row.status,
			params: row.params
		}));
		const inserted = await sql<{ id: string; status: OutboxStatus }>`
			insert into outbox (id, tenant_id, dedupe_key, template, to_email, locale, subject, link,
				message_id, recipient_user_id, status, params)
			select id, tenant_id, dedupe_key, template, to_email, locale, subject, link, message_id,
				recipient_user_id, status, params
			from json_to_recordset(${JSON.stringify(chunk)}::json) as x(id uuid, tenant_id uuid,
				dedupe_key text, template text, to_email text, locale text, subject text, link text,
				message_id text, recipient_user_id uuid, status text, params jsonb)
			on conflict (tenant_id, dedupe_key) do nothing
			returning id, status`.execute(tx);
		for (const row of inserted.rows) if (row.status === 'pending') written.push(row.id);
	}
	return written;
}

/** An outbox row as the delivery and the tests read it: what is needed to render and send it. */
export interface StoredMessage {
	template: string;
	locale: Locale;
	subject: string;
	link: string;
	/** The recipient's account, if they have one (their footer links their notification settings). */
	recipient_user_id: string | null;
	/** The frozen values to render from; null on rows written with their bodies rendered. */
	params: unknown;
	text_body: string | null;
	html_body: string | null;
}

export interface ClaimedMessage extends StoredMessage {
	id: string;
	tenant_id: string;
	to_email: string;
	message_id: string | null;
	attempts: number;
}

/** The columns of a claimed message, as the delivery (and the chase benchmark) reads them. */
export const CLAIMED_COLUMNS = [
	'id',
	'tenant_id',
	'to_email',
	'template',
	'locale',
	'subject',
	'link',
	'recipient_user_id',
	'params',
	'text_body',
	'html_body',
	'message_id',
	'attempts'
] as const;

/**
 * Leases up to `limit` due messages of the current tenant (or the given ones) until
 * `leasedUntil`. Rows leased by a live worker are skipped; an expired lease is fair game.
 */
export async function claimDueMessages(
	tx: Tx,
	now: Date,
	limit: number,
	options: { leasedUntil: Date; ids?: string[] }
): Promise<ClaimedMessage[]> {
	if (options.ids && options.ids.length === 0) return [];
	let due = tx
		.selectFrom('outbox')
		.select(['tenant_id', 'id'])
		.where('status', '=', 'pending')
		.where('next_attempt_at', '<=', now)
		.where((eb) => eb.or([eb('leased_until', 'is', null), eb('leased_until', '<', now)]));
	if (options.ids) due = due.where('id', 'in', options.ids);
	const rows = await due.orderBy('next_attempt_at').limit(limit).forUpdate().skipLocked().execute();
	if (rows.length === 0) return [];
	return tx
		.updateTable('outbox')
		.set({ leased_until: options.leasedUntil })
		.where(
			'id',
			'in',
			rows.map((row) => row.id)
		)
		.returning(CLAIMED_COLUMNS)
		.execute();
}

export async function markSent(tx: Tx, ids: string[], now: Date) {
	if (ids.length === 0) return;
	await tx
		.updateTable('outbox')
		.set({
			status: 'sent',
			sent_at: now,
			attempts: sql`attempts + 1`,
			last_error: null,
			leased_until: null
		})
		.where('id', 'in', ids)
		.where('status', '=', 'pending')
		.execute();
}

export async function markFailedAttempt(
	tx: Tx,
	id: string,
	error: string,
	nextAttemptAt: Date | null
) {
	await tx
		.updateTable('outbox')
		.set({
			status: nextAttemptAt ? 'pending' : 'failed',
			attempts: sql`attempts + 1`,
			last_error: error.slice(0, 1000),
			leased_until: null,
			...(nextAttemptAt ? { next_attempt_at: nextAttemptAt } : {})
		})
		.where('id', '=', id)
		.where('status', '=', 'pending')
		.execute();
}

/** The admin "Deliveries" page: messages by status, newest first. */
export function listDeliveries(
	tx: Tx,
	options: { status?: OutboxStatus; limit?: number; before?: Date } = {}
) {
	let query = tx
		.selectFrom('outbox')
		.select([
			'id',
			'template',
			'to_email',
			'locale',
			'subject',
			'status',
			'attempts',
			'last_error',
			'next_attempt_at',
			'created_at',
			'sent_at',
			'link',
			'message_id'
		]);
	if (options.status) query = query.where('status', '=', options.status);
	if (options.before) query = query.where('created_at', '<', options.before);
	return query
		.orderBy('created_at', 'desc')
		.limit(options.limit ?? 100)
		.execute();
}

/** The "retry" button: a failed message is due again now, with its attempts counted afresh. */
export async function retryFailedMessage(tx: Tx, id: string, now = new Date()): Promise<boolean> {
	const result = await tx
		.updateTable('outbox')
		.set({ status: 'pending', attempts: 0, next_attempt_at: now, leased_until: null })
		.where('id', '=', id)
		.where('status', '=', 'failed')
		.executeTakeFirst();
	return Number(result.numUpdatedRows) === 1;
}

export function countOutboxByStatus(tx: Tx) {
	return tx
		.selectFrom('outbox')
		.select(['status', (eb) => eb.fn.countAll<string>().as('n')])
		.groupBy('status')
		.execute();
}

/** Messages held for a person's digest, created before `before`. */
export function listHeldMessages(tx: Tx, before: Date) {
	return tx
		.selectFrom('outbox')
		.select(['id', 'recipient_user_id', 'to_email', 'locale', 'subject', 'link', 'created_at'])
		.where('status', '=', 'held')
		.where('created_at', '<', before)
		.orderBy('recipient_user_id')
		.orderBy('created_at')
		.execute();
}

export async function markDigested(tx: Tx, ids: string[]) {
	if (ids.length === 0) return;
	await tx
		.updateTable('outbox')
		.set({ status: 'digested' })
		.where('id', 'in', ids)
		.where('status', '=', 'held')
		.execute();
}
