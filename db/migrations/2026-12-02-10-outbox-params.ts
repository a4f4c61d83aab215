import type { Kysely } from 'kysely';
import { runScript } from './script';

/*
 * Issue 7 §7: the sweep wrote ~5.3 KB of rendered HTML (and the plain text) into every outbox
 * row, and PostgreSQL writing (and TOAST-compressing) 100,000 of them was most of its time. A
 * message now stores its template, locale, subject and a frozen snapshot of the values it needs
 * (`params`, taken in the cause's transaction, so the cause still decides the content); the
 * delivery renders the text and HTML parts at send time. Rows written before keep their
 * rendered bodies and are sent as they are: a row holds either `params` or both bodies.
 *
 * `outbox_pending_idx` (next_attempt_at, all tenants) is dropped: every outbox query runs in one
 * tenant's transaction and uses `outbox_tenant_pending_idx`. `reminders_subject_idx` (tenant,
 * kind, subject) is the prefix of the reminders' unique key, which serves the same lookups. One
 * index less on each of the sweep's 100,000-row inserts.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await runScript(
		db,
		`
alter table outbox add column params jsonb;
alter table outbox alter column text_body drop not null;
alter table outbox alter column html_body drop not null;
alter table outbox add constraint outbox_content_check check (params is not null or (text_body is not null and html_body is not null));
drop index if exists outbox_pending_idx;
drop index if exists reminders_subject_idx;
`
	);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	// Rows that hold only params cannot be given bodies in SQL (rendering is the app's): going
	// back keeps the sent ones' history and drops the unsent ones.
	await runScript(
		db,
		`
create index if not exists outbox_pending_idx on outbox (next_attempt_at) where status = 'pending';
create index if not exists reminders_subject_idx on reminders (tenant_id, subject_kind, subject_id);
delete from outbox where text_body is null or html_body is null;
alter table outbox drop constraint outbox_content_check;
alter table outbox alter column html_body set not null;
alter table outbox alter column text_body set not null;
alter table outbox drop column params;
`
	);
}
