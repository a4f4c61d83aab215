import { sql, type Kysely } from 'kysely';

/*
 * Issue 12 items 1 and 4: a certificate is granted by a decision, or imported.
 *
 * - `certificate_number_counters`: one counter per tenant and rendered prefix
 *   (src/lib/server/domain/certificate-number.ts). A grant takes the next value with
 *   `insert … on conflict do update set last_seq = last_seq + 1 returning last_seq` in its own
 *   transaction: the row lock serialises concurrent grants of one prefix, and a grant that is
 *   refused or rolls back gives its value back, so numbers within a prefix have no gaps.
 * - `certificates.origin`: 'granted' (by a grant decision in CertTrack), 'imported' (an existing
 *   certificate of this body, recorded by an admin) or 'transferred' (from another body, with
 *   that body's name and its certificate number). Certificates recorded before this migration
 *   were all typed in, so they are 'imported'.
 * - `certificate_history.change` gains 'imported' and 'transferred': the line that says how the
 *   certificate came into CertTrack, beside its 'issued' line.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await sql`
create table certificate_number_counters (
  tenant_id uuid not null references tenants (id),
  prefix text not null check (length(prefix) between 1 and 200),
  last_seq integer not null check (last_seq >= 1),
  primary key (tenant_id, prefix)
)`.execute(db);
	await sql`alter table certificate_number_counters enable row level security`.execute(db);
	await sql`alter table certificate_number_counters force row level security`.execute(db);
	await sql`
create policy tenant_isolation on certificate_number_counters
  using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant())`.execute(
		db
	);
	// No delete: a counter never goes back (a deleted row would hand out its numbers again).
	await sql`grant select, insert, update on certificate_number_counters to certtrack_app`.execute(
		db
	);

	await sql`
alter table certificates
  add column origin text not null default 'imported'
    check (origin in ('granted', 'imported', 'transferred')),
  add column previous_body_name text check (length(previous_body_name) between 1 and 200),
  add column previous_number text check (length(previous_number) between 1 and 100),
  add constraint certificates_transfer_origin check (
    (origin = 'transferred') = (previous_body_name is not null and previous_number is not null)
  )`.execute(db);

	await sql`alter table certificate_history drop constraint certificate_history_change_check`.execute(
		db
	);
	await sql`
alter table certificate_history add constraint certificate_history_change_check check (
  change in ('issued', 'status', 'grade', 'scope', 'expired', 'renewed', 'imported', 'transferred')
)`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await sql`delete from certificate_history where change in ('imported', 'transferred')`.execute(
		db
	);
	await sql`alter table certificate_history drop constraint certificate_history_change_check`.execute(
		db
	);
	await sql`
alter table certificate_history add constraint certificate_history_change_check check (
  change in ('issued', 'status', 'grade', 'scope', 'expired', 'renewed')
)`.execute(db);
	await sql`
alter table certificates
  drop constraint if exists certificates_transfer_origin,
  drop column if exists previous_number,
  drop column if exists previous_body_name,
  drop column if exists origin`.execute(db);
	await sql`drop table if exists certificate_number_counters`.execute(db);
}
