import type { Kysely } from 'kysely';
import { runScript } from './script';

/*
 * Issue 12 item 4: a certificate transferred from another body comes with its history there
 * (issued, surveillance done, renewed, scope extended or reduced, suspended, restored), each
 * line a certificate_history row of its own change, `previous_body`, so that no reader of this
 * body's history takes it for one of this body's changes: the registry exports skip it, and it
 * carries no status, grade, scope or expiry (a constraint says so), so the suspension clock and
 * the public status replay, which read those columns, never see it.
 *
 * - previous_body_event: what happened at the earlier body; set exactly on `previous_body` rows.
 * - previous_body_note: what the admin noted of it ('' when nothing).
 * - previous_body_position: the line's place in that history (two lines may share a day).
 */

const CHANGES_BEFORE = `'issued', 'status', 'grade', 'scope', 'expired', 'renewed', 'imported', 'transferred'`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await runScript(
		db,
		`
alter table certificate_history drop constraint certificate_history_change_check;
alter table certificate_history add constraint certificate_history_change_check check (
  change in (${CHANGES_BEFORE}, 'previous_body')
);
alter table certificate_history
  add column previous_body_event text check (previous_body_event in (
    'issued', 'surveillance', 'renewed', 'scope_extended', 'scope_reduced', 'suspended', 'restored'
  )),
  add column previous_body_note text check (length(previous_body_note) <= 1000),
  add column previous_body_position smallint check (previous_body_position between 1 and 1000),
  add constraint certificate_history_previous_body check (
    (change = 'previous_body') = (previous_body_event is not null and previous_body_position is not null)
    and (change <> 'previous_body' or (
      decision_id is null and from_status is null and to_status is null
      and from_grade_level_id is null and to_grade_level_id is null
      and from_scope is null and to_scope is null
      and from_scope_items is null and to_scope_items is null
      and from_expires_on is null and to_expires_on is null
    ))
  );
`
	);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await runScript(
		db,
		`
delete from certificate_history where change = 'previous_body';
alter table certificate_history
  drop constraint if exists certificate_history_previous_body,
  drop column if exists previous_body_position,
  drop column if exists previous_body_note,
  drop column if exists previous_body_event;
alter table certificate_history drop constraint certificate_history_change_check;
alter table certificate_history add constraint certificate_history_change_check check (
  change in (${CHANGES_BEFORE})
);
`
	);
}
