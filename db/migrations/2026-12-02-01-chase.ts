import { sql, type Kysely } from 'kysely';
import { runScript } from './script';

/*
 * The chase (issue 7). `reminders` holds one row per (subject, stage, due date) that has fired:
 * its unique key is what makes every stage fire once, ever, whatever the number of workers or
 * retries. `notifications` is each person's in-app list. The outbox gains a lease (claim, commit,
 * send outside the transaction, mark) and the recipient it was written for; the flags the clocks
 * raise live on the rows they concern.
 */

const NEW_TENANT_TABLES = ['reminders', 'notifications'] as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await runScript(
		db,
		`
create table reminders (
  tenant_id uuid not null references tenants (id),
  id uuid not null default gen_random_uuid(),
  subject_kind text not null check (subject_kind in ('finding', 'certificate', 'surveillance', 'obligation_item')),
  subject_id uuid not null,
  stage text not null,
  due_on date not null,
  fired_on date not null,
  fired_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, subject_kind, subject_id, stage, due_on)
);
create index reminders_subject_idx on reminders (tenant_id, subject_kind, subject_id);

create table notifications (
  tenant_id uuid not null references tenants (id),
  id uuid not null default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  template text not null,
  title text not null,
  body text not null,
  link text not null,
  dedupe_key text not null,
  created_at timestamptz not null default now(),
  read_at timestamptz,
  primary key (tenant_id, id),
  unique (tenant_id, user_id, dedupe_key)
);
create index notifications_user_idx on notifications (tenant_id, user_id, created_at desc);
create index notifications_unread_idx on notifications (tenant_id, user_id) where read_at is null;

alter table outbox add column leased_until timestamptz;
alter table outbox add column recipient_user_id uuid references users (id) on delete set null;
alter table outbox add column link text not null default '';
alter table outbox add column message_id text;
alter table outbox drop constraint outbox_status_check;
alter table outbox add constraint outbox_status_check check (status in ('pending', 'sent', 'failed', 'held', 'digested'));
create index outbox_tenant_pending_idx on outbox (tenant_id, next_attempt_at) where status = 'pending';
create index outbox_held_idx on outbox (tenant_id, recipient_user_id) where status = 'held';
create index outbox_status_idx on outbox (tenant_id, status, created_at);

alter table users add column mail_mode text not null default 'immediate' check (mail_mode in ('immediate', 'digest'));

alter table certificates add column suspension_due_by date;
alter table certificates add column withdrawal_proposed_on date;

alter table findings add column verification_reopened_on date;
alter table findings add column regraded_by_rule_on date;

alter table evidence add column integrity_checked_at timestamptz;
alter table evidence add column integrity_detail text;
`
	);
	for (const table of NEW_TENANT_TABLES) {
		await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
		await sql`alter table ${sql.table(table)} force row level security`.execute(db);
		await sql`create policy tenant_isolation on ${sql.table(table)} using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant())`.execute(
			db
		);
	}
	// A fired reminder is a fact: the app may add one, never move or remove it.
	await sql`grant select, insert on reminders to certtrack_app`.execute(db);
	await sql`grant select, insert, update, delete on notifications to certtrack_app`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await runScript(
		db,
		`
alter table evidence drop column if exists integrity_detail;
alter table evidence drop column if exists integrity_checked_at;
alter table findings drop column if exists regraded_by_rule_on;
alter table findings drop column if exists verification_reopened_on;
alter table certificates drop column if exists withdrawal_proposed_on;
alter table certificates drop column if exists suspension_due_by;
alter table users drop column if exists mail_mode;
drop index if exists outbox_status_idx;
drop index if exists outbox_held_idx;
drop index if exists outbox_tenant_pending_idx;
delete from outbox where status in ('held', 'digested');
alter table outbox drop constraint outbox_status_check;
alter table outbox add constraint outbox_status_check check (status in ('pending', 'sent', 'failed'));
alter table outbox drop column if exists message_id;
alter table outbox drop column if exists link;
alter table outbox drop column if exists recipient_user_id;
alter table outbox drop column if exists leased_until;
drop table if exists notifications, reminders;
`
	);
}
