import type { Kysely } from 'kysely';
import { runScript } from './script';

/*
 * Indexes for the CB's finding list (SPEC §6), read by keyset pagination in three orders. Plain
 * columns only: under row-level security PostgreSQL uses a query's condition as an index bound only
 * when its operators are leakproof, and expressions such as coalesce() or case never are — a
 * keyset over coalesce(due_on, …) would scan from the start of the tenant on every page. So the
 * list walks these indexes in stretches (due dates set, then none; one status after another).
 * findings_keyset_idx (tenant_id, raised_on desc, id desc) serves the default "newest first".
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await runScript(
		db,
		`
create index findings_due_keyset_idx on findings (tenant_id, due_on, id);
create index findings_status_keyset_idx on findings (tenant_id, status, due_on, id);
create index evaluations_standard_idx on evaluations (tenant_id, standard_id);
`
	);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await runScript(
		db,
		`
drop index if exists evaluations_standard_idx;
drop index if exists findings_status_keyset_idx;
drop index if exists findings_due_keyset_idx;
`
	);
}
