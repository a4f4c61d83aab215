import type { Kysely } from 'kysely';
import { runScript } from './script';

/*
 * Recurring obligations fulfilled with evidence (issue 7 §3). An evidence file belongs to exactly
 * one subject: a finding or an obligation's due item (the check constraint). The due item keeps
 * the body's review of it and the finding it was raised as, so one late item is raised once.
 * Both tables already have RLS ENABLE + FORCE with the tenant policy; new columns inherit it.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await runScript(
		db,
		`
alter table evidence alter column finding_id drop not null;
alter table evidence add column obligation_due_item_id uuid;
alter table evidence add constraint evidence_one_subject
  check (num_nonnulls(finding_id, obligation_due_item_id) = 1);
alter table evidence add constraint evidence_obligation_due_item_fk
  foreign key (tenant_id, obligation_due_item_id) references obligation_due_items (tenant_id, id);
create index evidence_due_item_idx on evidence (tenant_id, obligation_due_item_id, uploaded_at)
  where obligation_due_item_id is not null;

alter table obligation_due_items add column reviewed_by uuid references users (id);
alter table obligation_due_items add column reviewed_at timestamptz;
alter table obligation_due_items add column review_comment text;
alter table obligation_due_items add column raised_finding_id uuid;
alter table obligation_due_items add constraint obligation_due_items_raised_finding_fk
  foreign key (tenant_id, raised_finding_id) references findings (tenant_id, id);
`
	);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await runScript(
		db,
		`
alter table obligation_due_items drop constraint if exists obligation_due_items_raised_finding_fk;
alter table obligation_due_items drop column if exists raised_finding_id;
alter table obligation_due_items drop column if exists review_comment;
alter table obligation_due_items drop column if exists reviewed_at;
alter table obligation_due_items drop column if exists reviewed_by;
drop index if exists evidence_due_item_idx;
alter table evidence drop constraint if exists evidence_obligation_due_item_fk;
alter table evidence drop constraint if exists evidence_one_subject;
delete from evidence where obligation_due_item_id is not null;
alter table evidence drop column if exists obligation_due_item_id;
alter table evidence alter column finding_id set not null;
`
	);
}
