import type { AppDatabase } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import { todayInZone } from '../domain/calendar';
import { badInput } from '../errors';
import type { AuditCheckpoint, CheckpointStore } from '../evidence/checkpoints';
import * as repo from '../repositories/audit-log';
import { authorize } from './authorize';
import { AUDIT_PAGE_SIZE, auditFilters } from './audit.schema';
import { idsIn, isUuid, namesFor, toTimeline, type NamedId, type TimelineEntry } from './timeline';

/*
 * The audit trail as a whole, for the tenant's administrators: browse it, verify its hash chain,
 * export it. The chain itself is written by the database (see the tenant-isolation migration):
 * each entry's hash covers its content and the previous entry's hash.
 */

export type AuditFilters = repo.AuditLogFilters;
export const SYSTEM_ACTOR = repo.SYSTEM_ACTOR;

/** The hash before the first entry of every tenant's chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** What is wrong with each filter, as message keys by field; empty when all are usable. */
export function auditFilterProblems(filters: unknown): Record<string, string> {
	const parsed = auditFilters.safeParse(filters);
	const problems: Record<string, string> = {};
	if (parsed.success) return problems;
	for (const issue of parsed.error.issues) {
		const field = String(issue.path[0] ?? '_');
		problems[field] ??= issue.message;
	}
	return problems;
}

function assertFilters(filters: AuditFilters) {
	const [field, key] = Object.entries(auditFilterProblems(filters))[0] ?? [];
	if (field && key) throw badInput(field, key);
}

// ---------------------------------------------------------------------------------------------
// Browsing

export interface AuditEntryView {
	seq: number;
	action: string;
	entityType: string;
	entityId: string;
	actorName: string | null;
	actorEmail: string | null;
	/** What the entity is (a finding's reference, a certificate's number), when it still exists. */
	entityName: NamedId | null;
	/** ISO 8601, UTC. */
	at: string;
	changes: TimelineEntry['changes'];
}

export interface AuditLogPage {
	entries: AuditEntryView[];
	/** Cursor for the next older page (`before`), or null when this page holds the oldest. */
	older: number | null;
	/** Cursor for the next newer page (`after`), or null when this page holds the newest. */
	newer: number | null;
}

export { AUDIT_PAGE_SIZE };

/**
 * One page of the tenant's log, newest first, by keyset on seq: `before` continues towards older
 * entries, `after` goes back towards newer ones.
 */
export async function listAuditLog(
	db: AppDatabase,
	actor: Actor,
	filters: AuditFilters,
	cursor: { before?: number; after?: number } = {},
	limit = AUDIT_PAGE_SIZE
): Promise<AuditLogPage> {
	authorize(actor, 'audit.read');
	assertFilters(filters);
	return db.inTenant(scopeOf(actor), async (tx) => {
		const rows = await repo.listAuditLogPage(
			tx,
			actor.tenantId,
			filters,
			actor.tenant.timeZone,
			cursor,
			limit
		);
		const more = rows.length > limit;
		const page = rows.slice(0, limit);
		if (cursor.after !== undefined) page.reverse();
		// Every id on the page named in one query: the entities and the ids in their changes.
		const names = await namesFor(tx, [
			...new Set([
				...page.map((row) => row.entity_id.toLowerCase()).filter(isUuid),
				...idsIn(page.flatMap((row) => [row.before, row.after]))
			])
		]);
		const entries = page.map((row) => toView(row, names));
		const newest = entries[0]?.seq ?? null;
		const oldest = entries.at(-1)?.seq ?? null;
		if (cursor.after !== undefined)
			return { entries, newer: more ? newest : null, older: oldest ?? cursor.after + 1 };
		return {
			entries,
			older: more ? oldest : null,
			newer: cursor.before !== undefined ? (newest ?? cursor.before - 1) : null
		};
	});
}

function toView(row: repo.AuditLogRow, names: ReadonlyMap<string, NamedId>): AuditEntryView {
	const [timeline] = toTimeline(
		[
			{
				seq: row.seq,
				action: row.action,
				before: row.before,
				after: row.after,
				created_at: new Date(row.created_at),
				actor_name: row.actor_name
			}
		],
		names
	);
	return {
		seq: Number(row.seq),
		action: row.action,
		entityType: row.entity_type,
		entityId: row.entity_id,
		entityName: names.get(row.entity_id.toLowerCase()) ?? null,
		actorName: row.actor_name,
		actorEmail: row.actor_email,
		at: row.created_at,
		changes: timeline?.changes ?? []
	};
}

/** The tenant's members, to filter the log by who acted. */
export async function listAuditActors(db: AppDatabase, actor: Actor) {
	authorize(actor, 'audit.read');
	return db.inTenant(scopeOf(actor), (tx) => repo.listAuditActors(tx));
}

// ---------------------------------------------------------------------------------------------
// Verification

export type ChainProblemKind = 'gap' | 'link' | 'hash' | 'head' | 'checkpoint';

export interface ChainVerification {
	ok: boolean;
	/** Entries walked: the whole chain up to its head. */
	entries: number;
	/** The first thing found wrong, in seq order (a missing seq for a gap). */
	firstProblem?: { seq: number; kind: ChainProblemKind };
	/** Present when verified against the checkpoints kept outside the database. */
	checkpoints?: { checked: number; latest: AuditCheckpoint | null };
}

const VERIFY_BATCH = 2000;

/**
 * Walks the tenant's chain from seq 1 to its head, batch by batch: no gaps, each prev_hash the
 * previous entry's hash (64 zeros for the first), each hash what audit_entry_hash recomputes from
 * the stored content (in SQL, so the hash is computed exactly as the trigger did), and the head
 * at the last entry with nothing chained beyond it.
 */
export async function verifyAuditChain(
	db: AppDatabase,
	actor: Actor,
	options: { batchSize?: number; checkpoints?: CheckpointStore } = {}
): Promise<ChainVerification> {
	authorize(actor, 'audit.read');
	const batchSize = options.batchSize ?? VERIFY_BATCH;
	// The anchors outside the database: a chain rewritten and re-hashed end to end still has to
	// match the heads copied out before the rewrite.
	const anchors = options.checkpoints ? await options.checkpoints.list(actor.tenantId) : null;
	const expected = new Map<number, string>();
	for (const anchor of anchors ?? []) expected.set(anchor.seq, anchor.hash);
	const result = await db.inTenant(scopeOf(actor), async (tx) => {
		// Read the head first: entries appended while we walk have higher seqs and are left for the
		// next verification, so a busy tenant never looks broken.
		const head = await repo.findChainHead(tx, actor.tenantId);
		let lastSeq = 0;
		let lastHash = GENESIS_HASH;
		let entries = 0;
		let firstProblem: ChainVerification['firstProblem'];
		let checkpointProblem: ChainVerification['firstProblem'];
		const upTo = head?.seq ?? 0;
		for (;;) {
			const rows = await repo.checkChainBatch(
				tx,
				actor.tenantId,
				lastSeq,
				lastHash,
				upTo,
				batchSize
			);
			for (const row of rows) {
				const seq = Number(row.seq);
				if (!firstProblem) {
					if (!row.contiguous) firstProblem = { seq: lastSeq + 1, kind: 'gap' };
					else if (!row.linked) firstProblem = { seq, kind: 'link' };
					else if (!row.intact) firstProblem = { seq, kind: 'hash' };
				}
				const anchored = expected.get(seq);
				if (anchored !== undefined && anchored !== row.hash)
					checkpointProblem ??= { seq, kind: 'checkpoint' };
				lastSeq = seq;
				lastHash = row.hash;
				entries++;
			}
			if (rows.length < batchSize) break;
		}
		if (!firstProblem && head && (head.seq !== lastSeq || head.hash !== lastHash))
			firstProblem = { seq: head.seq, kind: 'head' };
		if (!firstProblem) {
			const beyond = await repo.findEntryBeyondHead(tx, actor.tenantId);
			if (beyond !== null) firstProblem = { seq: beyond, kind: 'head' };
		}
		// A checkpoint past the last entry walked: entries it anchored are gone.
		for (const seq of expected.keys())
			if (seq > lastSeq && (!checkpointProblem || seq < checkpointProblem.seq))
				checkpointProblem = { seq, kind: 'checkpoint' };
		if (checkpointProblem && (!firstProblem || checkpointProblem.seq < firstProblem.seq))
			firstProblem = checkpointProblem;
		return firstProblem ? { ok: false, entries, firstProblem } : { ok: true, entries };
	});
	if (!anchors) return result;
	return { ...result, checkpoints: { checked: anchors.length, latest: anchors.at(-1) ?? null } };
}

/** The newest checkpoint of the actor's tenant, for the audit page. */
export async function latestAuditCheckpoint(
	actor: Actor,
	store: CheckpointStore
): Promise<AuditCheckpoint | null> {
	authorize(actor, 'audit.read');
	return store.latest(actor.tenantId);
}

/**
 * The daily anchor (job audit.checkpoint): copies the tenant's chain head to the store, unless
 * the newest checkpoint already holds that head. Returns the checkpoint written, or null.
 */
export async function writeAuditCheckpoint(
	db: AppDatabase,
	store: CheckpointStore,
	tenantId: string,
	now: Date = new Date()
): Promise<AuditCheckpoint | null> {
	const head = await db.inTenant({ tenantId, userId: null }, (tx) =>
		repo.findChainHead(tx, tenantId)
	);
	if (!head || head.seq === 0) return null;
	const latest = await store.latest(tenantId);
	if (latest && latest.seq === head.seq && latest.hash === head.hash) return null;
	const checkpoint = { seq: head.seq, hash: head.hash, at: now.toISOString() };
	await store.append(tenantId, checkpoint);
	return checkpoint;
}

// ---------------------------------------------------------------------------------------------
// CSV export

export const AUDIT_CSV_COLUMNS = [
	'seq',
	'created_at',
	'actor_email',
	'actor_name',
	'action',
	'entity_type',
	'entity_id',
	'before',
	'after',
	'prev_hash',
	'hash'
] as const;

/** Excel reads a CSV as UTF-8 (and so shows Chinese) only when it starts with the BOM. */
const BOM = '\uFEFF';
const CRLF = '\r\n';

/**
 * One CSV cell: formula-looking text defused with a leading apostrophe (OWASP "CSV injection":
 * a spreadsheet would run `=HYPERLINK(…)` from an organisation's name), then quoted when needed.
 */
export function csvCell(value: string | number | null | undefined): string {
	let text = value === null || value === undefined ? '' : String(value);
	if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
	return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvLine(row: repo.AuditExportRow): string {
	return AUDIT_CSV_COLUMNS.map((column) => csvCell(row[column])).join(',') + CRLF;
}

const EXPORT_BATCH = 1000;

/**
 * The tenant's log as CSV text chunks: the BOM and header first, then one chunk per batch of
 * entries, oldest first. Each batch reads in a short transaction of its own, so a slow download
 * never holds a connection open; the log is append-only and the export stops at the head seen
 * when it began, so the batches together are one consistent cut.
 */
export async function* auditCsvChunks(
	db: AppDatabase,
	actor: Actor,
	filters: AuditFilters = {},
	options: { batchSize?: number } = {}
): AsyncGenerator<string, void, undefined> {
	authorize(actor, 'audit.read');
	assertFilters(filters);
	const batchSize = options.batchSize ?? EXPORT_BATCH;
	const scope = scopeOf(actor);
	const head = await db.inTenant(scope, (tx) => repo.findChainHead(tx, actor.tenantId));
	yield BOM + AUDIT_CSV_COLUMNS.join(',') + CRLF;
	const upTo = head?.seq ?? 0;
	let afterSeq = 0;
	while (afterSeq < upTo) {
		const rows = await db.inTenant(scope, (tx) =>
			repo.auditExportBatch(
				tx,
				actor.tenantId,
				filters,
				actor.tenant.timeZone,
				afterSeq,
				upTo,
				batchSize
			)
		);
		if (rows.length > 0) yield rows.map(csvLine).join('');
		if (rows.length < batchSize) break;
		afterSeq = Number(rows[rows.length - 1]!.seq);
	}
}

/** `audit-<tenant slug>-<today in the tenant's zone>.csv`, safe in a Content-Disposition. */
export function auditCsvFileName(actor: Actor, now: Date = new Date()): string {
	const slug = actor.tenant.slug.replace(/[^a-z0-9-]+/gi, '-') || 'tenant';
	return `audit-${slug}-${todayInZone(now, actor.tenant.timeZone)}.csv`;
}
