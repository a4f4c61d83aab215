import type { Kysely } from 'kysely';
import { runScript } from './script';

/*
 * Issue 12 item 9: a new upload may replace an earlier evidence file of the same finding, as its
 * next version (`evidence.supersedes_id`, there since the first migration, with its composite
 * foreign key). The current version of a file is the one no live row supersedes.
 *
 * One live successor per file: a version history is a line, not a tree, so the reviewer reads
 * one "earlier versions" list per file. A successor the organisation took back before submitting
 * (`removed_at`) frees its predecessor to be replaced again, hence the partial index. The service
 * checks the same under the finding's lock; the index makes a race a refusal, never a fork.
 * No new table: `evidence` already has RLS ENABLE + FORCE, the tenant policy and the grants.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await runScript(
		db,
		`
alter table evidence add constraint evidence_supersedes_other check (supersedes_id <> id);
create unique index evidence_one_successor_key on evidence (tenant_id, supersedes_id)
  where supersedes_id is not null and removed_at is null;
`
	);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await runScript(
		db,
		`
drop index if exists evidence_one_successor_key;
alter table evidence drop constraint if exists evidence_supersedes_other;
`
	);
}
