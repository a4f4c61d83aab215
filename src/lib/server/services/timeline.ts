import type { AppDatabase, Tx } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import { listAuditForEntity, namesOfIds, type NamedId } from '../repositories/audit';

export type { NamedId };

/** A recorded id, shown as what it names (a finding's reference, a person's name …). */
export interface TimelineRef {
	ref: NamedId;
}

export interface TimelineEntry {
	seq: string;
	action: string;
	actorName: string | null;
	at: Date;
	/** Fields that changed, with their values before and after; ids stand as `TimelineRef`s. */
	changes: { field: string; before: unknown; after: unknown }[];
}

/**
 * Bookkeeping a reader has no use for: the row's own id and tenant, its version counter and
 * timestamps (the entry has its own time). Left out of every history panel.
 */
const HIDDEN_FIELDS = new Set([
	'id',
	'tenant_id',
	'tenantId',
	'version',
	'created_at',
	'updated_at',
	'createdAt',
	'updatedAt'
]);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a recorded value is an id (the only values looked up by name). */
export const isUuid = (value: unknown): value is string =>
	typeof value === 'string' && UUID.test(value);

function asRecord(value: unknown): Record<string, unknown> {
	if (typeof value === 'string') {
		try {
			return asRecord(JSON.parse(value));
		} catch {
			return {};
		}
	}
	return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

interface AuditRow {
	seq: string | number;
	action: string;
	before: unknown;
	after: unknown;
	created_at: Date;
	actor_name: string | null;
}

/** Every id a set of audit rows carries in its values (top level or in a list). */
export function idsIn(values: unknown[]): string[] {
	const ids = new Set<string>();
	const visit = (value: unknown) => {
		if (typeof value === 'string' && UUID.test(value)) ids.add(value.toLowerCase());
		else if (Array.isArray(value)) value.forEach(visit);
	};
	for (const value of values) for (const field of Object.values(asRecord(value))) visit(field);
	return [...ids];
}

/** An id as what it names; an id of nothing the tenant knows stays out of sight (null). */
function named(value: unknown, names: ReadonlyMap<string, NamedId>): unknown {
	if (typeof value === 'string' && UUID.test(value)) {
		const name = names.get(value.toLowerCase());
		return name ? ({ ref: name } satisfies TimelineRef) : null;
	}
	if (Array.isArray(value)) return value.map((item) => named(item, names));
	return value;
}

export function toTimeline(
	rows: AuditRow[],
	names: ReadonlyMap<string, NamedId> = new Map()
): TimelineEntry[] {
	return rows.map((row) => {
		const before = asRecord(row.before);
		const after = asRecord(row.after);
		const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])];
		return {
			seq: String(row.seq),
			action: row.action,
			actorName: row.actor_name,
			at: row.created_at,
			changes: fields
				.filter((field) => !HIDDEN_FIELDS.has(field))
				.filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]))
				.map((field) => ({
					field,
					before: named(before[field] ?? null, names),
					after: named(after[field] ?? null, names)
				}))
				// An id that names nothing known, on both sides, says nothing to a reader.
				.filter((change) => change.before !== null || change.after !== null)
		};
	});
}

/** The names of the ids `values` carry, in one query. */
export async function namesFor(tx: Tx, ids: string[]): Promise<Map<string, NamedId>> {
	return new Map((await namesOfIds(tx, ids)).map((name) => [name.id, name]));
}

/** Audit rows as timeline entries, their ids named. */
export async function namedTimeline(tx: Tx, rows: AuditRow[]): Promise<TimelineEntry[]> {
	const names = await namesFor(tx, idsIn(rows.flatMap((row) => [row.before, row.after])));
	return toTimeline(rows, names);
}

/** The audit entries of one entity, oldest first. Callers load (and so authorise) the entity first. */
export async function timelineOf(tx: Tx, entityType: string, entityId: string) {
	return namedTimeline(tx, await listAuditForEntity(tx, entityType, entityId));
}

export function entityTimeline(
	db: AppDatabase,
	actor: Actor,
	entityType: string,
	entityId: string
) {
	return db.inTenant(scopeOf(actor), (tx) => timelineOf(tx, entityType, entityId));
}
