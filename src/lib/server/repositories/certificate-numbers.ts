import { sql } from 'kysely';
import type { Tx } from '../db/tenant-scope';

/* The body's certificate number pattern and its counters (domain/certificate-number.ts). */

/** The pattern the tenant in scope numbers its grants by. */
export async function findNumberPattern(tx: Tx, tenantId: string): Promise<string> {
	const row = await tx
		.selectFrom('tenants')
		.select('certificate_number_pattern')
		.where('id', '=', tenantId)
		.executeTakeFirstOrThrow();
	return row.certificate_number_pattern;
}

/**
 * The next sequence value of `prefix`, taken in the caller's transaction: the upsert locks the
 * counter row until the transaction ends, so concurrent grants of one prefix take turns, and a
 * grant that rolls back gives its value back (no gaps).
 */
export async function takeNextSequence(tx: Tx, tenantId: string, prefix: string): Promise<number> {
	const row = await tx
		.insertInto('certificate_number_counters')
		.values({ tenant_id: tenantId, prefix, last_seq: 1 })
		.onConflict((conflict) =>
			conflict
				.columns(['tenant_id', 'prefix'])
				.doUpdateSet({ last_seq: sql<number>`certificate_number_counters.last_seq + 1` })
		)
		.returning('last_seq')
		.executeTakeFirstOrThrow();
	return row.last_seq;
}

/** The value the next grant of `prefix` would take (the grant page's preview; takes nothing). */
export async function peekNextSequence(tx: Tx, prefix: string): Promise<number> {
	const row = await tx
		.selectFrom('certificate_number_counters')
		.select('last_seq')
		.where('prefix', '=', prefix)
		.executeTakeFirst();
	return (row?.last_seq ?? 0) + 1;
}
