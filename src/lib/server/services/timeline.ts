import type { AppDatabase, Tx } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import { listAuditForEntity } from '../repositories/audit';

export interface TimelineEntry {
	seq: string;
	action: string;
	actorName: string | null;
	at: Date;
	/** Fields that changed, with their values before and after. */
	changes: { field: string; before: unknown; after: unknown }[];
}

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

export function toTimeline(rows: Awaited<ReturnType<typeof listAuditForEntity>>): TimelineEntry[] {
	return rows.map((row) => {
		const before = asRecord(row.before);
		const after = asRecord(row.after);
		const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])];
		return {
			seq: row.seq,
			action: row.action,
			actorName: row.actor_name,
			at: row.created_at,
			changes: fields
				.filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]))
				.map((field) => ({ field, before: before[field] ?? null, after: after[field] ?? null }))
		};
	});
}

/** The audit entries of one entity, oldest first. Callers load (and so authorise) the entity first. */
export async function timelineOf(tx: Tx, entityType: string, entityId: string) {
	return toTimeline(await listAuditForEntity(tx, entityType, entityId));
}

export function entityTimeline(
	db: AppDatabase,
	actor: Actor,
	entityType: string,
	entityId: string
) {
	return db.inTenant(scopeOf(actor), (tx) => timelineOf(tx, entityType, entityId));
}
