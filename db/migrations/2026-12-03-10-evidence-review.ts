import type { Kysely } from 'kysely';
import { runScript } from './script';

/*
 * Issue 10 defect 9: the reviewer judges each evidence file (accepted, or rejected with a note)
 * beside the verdict on the whole submission, and the organisation may take back a file it has
 * not submitted yet.
 *
 * Columns on `evidence`, not a table of their own: a file has at most one verdict (the reviewer
 * may change it while the submission is open; the audit log keeps every change), and the table
 * already has RLS ENABLE + FORCE with the tenant policy and the app role's grants; new columns
 * inherit both.
 *
 * A removed file keeps its row (`removed_at`, `removed_by`): its upload's audit entry names it,
 * later copies of the same bytes point at it (`duplicate_of_id`), and its bytes live in the
 * content-addressed store that other rows of the same content share and that is never
 * overwritten. Every list and the download leave removed files out.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await runScript(
		db,
		`
alter table evidence add column review_verdict text
  check (review_verdict in ('accepted', 'rejected'));
alter table evidence add column review_note text;
alter table evidence add column reviewed_by uuid references users (id);
alter table evidence add column reviewed_at timestamptz;
alter table evidence add constraint evidence_review_complete
  check ((review_verdict is null) = (reviewed_by is null) and (review_verdict is null) = (reviewed_at is null));
alter table evidence add column removed_at timestamptz;
alter table evidence add column removed_by uuid references users (id);
alter table evidence add constraint evidence_removed_complete
  check ((removed_at is null) = (removed_by is null));
alter table evidence add constraint evidence_removed_unsubmitted
  check (removed_at is null or submission_id is null);
`
	);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await runScript(
		db,
		`
alter table evidence drop constraint if exists evidence_removed_unsubmitted;
alter table evidence drop constraint if exists evidence_removed_complete;
alter table evidence drop column if exists removed_by;
alter table evidence drop column if exists removed_at;
alter table evidence drop constraint if exists evidence_review_complete;
alter table evidence drop column if exists reviewed_at;
alter table evidence drop column if exists reviewed_by;
alter table evidence drop column if exists review_note;
alter table evidence drop column if exists review_verdict;
`
	);
}
