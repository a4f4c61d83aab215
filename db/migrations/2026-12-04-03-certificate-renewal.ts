import { sql, type Kysely } from 'kysely';
import { runScript } from './script';

/*
 * Issue 12 items 3 and 4 (scope): renewal after a recertification evaluation and structured scope.
 *
 * - decisions.kind gains `renew` (a recertification evaluation's grant decision on an existing
 *   certificate: a new validity, history `renewed`) and `extend_scope` (`reduce_scope` exists).
 *   `grant` stays the initial certification's: it creates a certificate and allocates its number.
 * - certificates.scope_items: the sites, service outlets and product lines the certificate covers,
 *   a JSON array of {id, kind, name, address}; the free-text `scope` stays for display and the
 *   registries. JSON on the row rather than a table: the items are only ever read and changed
 *   with their certificate, under its lock and version, and each history row keeps a whole
 *   from/to snapshot.
 * - certificate_history gains the from/to of the expiry (a renewal) and of the scope items (an
 *   extension or reduction); decisions keep the items they led to.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await runScript(
		db,
		`
alter table decisions drop constraint decisions_kind_check;
alter table decisions add constraint decisions_kind_check check (kind in ('grant', 'maintain', 'regrade', 'suspend', 'withdraw', 'restore', 'reduce_scope', 'renew', 'extend_scope'));
alter table decisions add column new_scope_items jsonb check (new_scope_items is null or jsonb_typeof(new_scope_items) = 'array');
alter table decisions add column new_expires_on date;

alter table certificates add column scope_items jsonb not null default '[]'::jsonb check (jsonb_typeof(scope_items) = 'array');

alter table certificate_history add column from_expires_on date;
alter table certificate_history add column to_expires_on date;
alter table certificate_history add column from_scope_items jsonb check (from_scope_items is null or jsonb_typeof(from_scope_items) = 'array');
alter table certificate_history add column to_scope_items jsonb check (to_scope_items is null or jsonb_typeof(to_scope_items) = 'array');
`
	);
	// The decisions one renewal may follow: at most one per recertification evaluation, so a
	// closed evaluation cannot renew the same certificate twice.
	await sql`
create unique index decisions_one_renewal_idx
  on decisions (tenant_id, evaluation_id) where kind = 'renew'`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await runScript(
		db,
		`
drop index if exists decisions_one_renewal_idx;
alter table certificate_history drop column if exists to_scope_items;
alter table certificate_history drop column if exists from_scope_items;
alter table certificate_history drop column if exists to_expires_on;
alter table certificate_history drop column if exists from_expires_on;
alter table certificates drop column if exists scope_items;
alter table decisions drop column if exists new_expires_on;
alter table decisions drop column if exists new_scope_items;
alter table decisions drop constraint decisions_kind_check;
alter table decisions add constraint decisions_kind_check check (kind in ('grant', 'maintain', 'regrade', 'suspend', 'withdraw', 'restore', 'reduce_scope')) not valid;
`
	);
}
