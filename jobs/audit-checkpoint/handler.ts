import { listTenantIds } from '../../src/lib/server/db/tenant-scope';
import { checkpointStore } from '../../src/lib/server/evidence/checkpoints';
import { writeAuditCheckpoint } from '../../src/lib/server/services/audit';
import type { JobContext } from '../definition';

/**
 * Writes each tenant's checkpoint. Idempotent: a tenant whose head is already the newest
 * checkpoint gets none, so a retried or doubled run adds nothing. One tenant's failure does not
 * keep the others unanchored; the run fails afterwards so that BullMQ retries it.
 */
export async function handleAuditCheckpoint(
	context: JobContext
): Promise<{ tenants: number; written: number }> {
	const store = checkpointStore(context.app.config);
	const now = context.now();
	const tenants = await listTenantIds(context.app.db);
	let written = 0;
	const failures: string[] = [];
	for (const tenantId of tenants) {
		try {
			if (await writeAuditCheckpoint(context.app.db, store, tenantId, now)) written++;
		} catch (error) {
			failures.push(`${tenantId}: ${(error as Error).message}`);
		}
	}
	if (failures.length) throw new Error(`audit checkpoint failed for ${failures.join('; ')}`);
	return { tenants: tenants.length, written };
}
