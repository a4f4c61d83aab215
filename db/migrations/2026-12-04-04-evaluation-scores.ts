import { sql, type Kysely } from 'kysely';

/*
 * Issue 12 item 2: scoring and grades (GB/T 27922 and any standard whose grade scale has
 * thresholds).
 *
 * - `clauses.score_points`: the points (分值) a clause (or clause group) is scored out of; the
 *   clauses that have them are the standard's scoring sheet. A total is the points earned over
 *   the points scored, × 100 (GB/T 27922's 评分 = 实际得分 / 涉及项总分值 × 100), so the points
 *   need not add up to 100: they are normalised (src/lib/server/domain/scoring.ts).
 * - `scheme_rules.major_cap_level_id` / `major_cap_counts`: "a major nonconformity caps the
 *   grade at this level", counting any major of the evaluation or only those not closed. The
 *   cap goes with its level when a scale drops that level.
 * - `evaluation_scores`: the score an evaluation gave each clause of the sheet, by whom, when.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await sql`
alter table clauses
  add column score_points integer check (score_points between 1 and 1000)`.execute(db);

	await sql`
alter table scheme_rules
  add column major_cap_level_id uuid,
  add column major_cap_counts text not null default 'any'
    check (major_cap_counts in ('any', 'open')),
  add constraint scheme_rules_major_cap_level_fkey
    foreign key (tenant_id, major_cap_level_id) references grade_levels (tenant_id, id)
    on delete set null (major_cap_level_id)`.execute(db);

	await sql`
create table evaluation_scores (
  tenant_id uuid not null references tenants (id),
  evaluation_id uuid not null,
  clause_id uuid not null,
  score numeric(6, 2) not null check (score >= 0),
  scored_by uuid not null references users (id),
  scored_at timestamptz not null default now(),
  primary key (tenant_id, evaluation_id, clause_id),
  foreign key (tenant_id, evaluation_id) references evaluations (tenant_id, id) on delete cascade,
  foreign key (tenant_id, clause_id) references clauses (tenant_id, id) on delete cascade
)`.execute(db);
	await sql`alter table evaluation_scores enable row level security`.execute(db);
	await sql`alter table evaluation_scores force row level security`.execute(db);
	await sql`
create policy tenant_isolation on evaluation_scores
  using (tenant_id = app_current_tenant())
  with check (tenant_id = app_current_tenant())`.execute(db);
	await sql`grant select, insert, update, delete on evaluation_scores to certtrack_app`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await sql`drop table if exists evaluation_scores`.execute(db);
	await sql`
alter table scheme_rules
  drop constraint if exists scheme_rules_major_cap_level_fkey,
  drop column if exists major_cap_counts,
  drop column if exists major_cap_level_id`.execute(db);
	await sql`alter table clauses drop column if exists score_points`.execute(db);
}
