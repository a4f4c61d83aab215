import type { Kysely } from 'kysely';
import { runScript } from './script';

/*
 * Issue 13 item 4: complaints filed by anyone on the public verification pages, triaged by the
 * body (ISO/IEC 17065 7.13 / 17021-1 9.8: receive, acknowledge, investigate, decide, tell the
 * complainant).
 *
 * The first migration's `complaints` table had a status set nobody used; it becomes the issue's
 * (received → acknowledged → investigating → resolved / rejected), each step with its own date so
 * the complainant's status page and the body's acknowledgement clock read columns, not the audit
 * log. Rows written under the old set (none in practice: nothing filed complaints) map onto the
 * nearest new step and take their received date for the steps they passed.
 *
 * A complaint gets a public reference (`C-` and eight characters from an alphabet without look-
 * alikes), unique per body: with the complainant's email it opens the status page, and being
 * random it says nothing of how many complaints a body receives. The table already has RLS
 * ENABLE + FORCE with the tenant policy and the app role's grants; new columns inherit both. A
 * visitor files in the body's tenant scope (the body found by slug through
 * `app_public_tenant`, migration 2026-12-03-17), so the policy still decides.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await runScript(
		db,
		`
alter table complaints drop constraint complaints_status_check;
alter table complaints add column reference text;
alter table complaints add column complainant_phone text not null default '';
alter table complaints add column locale text not null default 'zh-CN' check (locale in ('zh-CN', 'en'));
alter table complaints add column acknowledged_at timestamptz;
alter table complaints add column investigating_at timestamptz;
alter table complaints add column closed_at timestamptz;
update complaints set
  acknowledged_at = case when status <> 'received' then received_at end,
  investigating_at = case when status in ('evaluation_opened', 'closed') then received_at end,
  closed_at = case when status in ('dismissed', 'closed') then received_at end,
  status = case status
    when 'triaged' then 'acknowledged'
    when 'evaluation_opened' then 'investigating'
    when 'dismissed' then 'rejected'
    when 'closed' then 'resolved'
    else status end;
update complaints set reference = 'C-' || upper(substr(md5(id::text), 1, 8)) where reference is null;
alter table complaints alter column reference set not null;
alter table complaints add constraint complaints_reference_format check (reference ~ '^C-[0-9A-Z]{8}$');
create unique index complaints_reference_idx on complaints (tenant_id, reference);
alter table complaints add constraint complaints_status_check
  check (status in ('received', 'acknowledged', 'investigating', 'resolved', 'rejected'));
alter table complaints add constraint complaints_step_dates check (
  (status = 'received' or acknowledged_at is not null)
  and (status not in ('investigating', 'resolved') or investigating_at is not null)
  and ((status in ('resolved', 'rejected')) = (closed_at is not null))
);
alter table complaints add constraint complaints_text_bounds check (
  length(complainant_name) between 1 and 200 and length(complainant_email) between 3 and 254
  and length(complainant_phone) <= 50 and length(body) between 1 and 5000
);
`
	);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await runScript(
		db,
		`
alter table complaints drop constraint if exists complaints_text_bounds;
alter table complaints drop constraint if exists complaints_step_dates;
alter table complaints drop constraint if exists complaints_status_check;
update complaints set status = case status
    when 'acknowledged' then 'triaged'
    when 'investigating' then 'evaluation_opened'
    when 'rejected' then 'dismissed'
    when 'resolved' then 'closed'
    else status end;
alter table complaints add constraint complaints_status_check
  check (status in ('received', 'triaged', 'evaluation_opened', 'dismissed', 'closed'));
drop index if exists complaints_reference_idx;
alter table complaints drop constraint if exists complaints_reference_format;
alter table complaints drop column if exists closed_at;
alter table complaints drop column if exists investigating_at;
alter table complaints drop column if exists acknowledged_at;
alter table complaints drop column if exists locale;
alter table complaints drop column if exists complainant_phone;
alter table complaints drop column if exists reference;
`
	);
}
