import { sql, type Kysely } from 'kysely';
import { runScript } from './script';

/*
 * Issue 10 defect 10: finding references restarted at NC-1 on every evaluation, so an
 * organisation saw two "NC-1". An evaluation now gets a reference of its own, unique per
 * organisation and standard (one certification cycle after another: `2026-S1`, the first
 * surveillance of the cycle, held in 2026; src/lib/server/domain/finding-references.ts has the
 * scheme), and its findings carry it: `2026-S1-NC-1`. Since findings stay unique per evaluation
 * (their old key), the two keys together make a finding's reference unique per organisation and
 * standard.
 *
 * Rows already there get the scheme's references here, numbered in window order: the kind's
 * sequence restarts with each initial or recertification evaluation. The domain function picks
 * the next free number if a label were taken twice (two cycles starting in one year); this
 * script gives such a rare second one a `-2` suffix instead, which cannot meet a label the app
 * makes.
 *
 * Issue 10 defect 12, in the same slot: the demo replays a year of a body's work through the
 * services, each step at its own time, but the audit chain stamped every entry with the clock,
 * so the history said everything happened the day it was loaded (a plan "made" after its
 * report). An entry may now carry the time it happened; the chain keeps it only if it is not
 * before the chain's previous entry (or the tenant's creation, for the first) and not after the
 * clock, else it takes the clock as before. The log stays in time order and nothing is written
 * ahead of time; the hash covers the time kept, as it did.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await runScript(
		db,
		`
alter table evaluations add column reference text;
with cycles as (
  select id, tenant_id, organisation_id, standard_id, kind, window_start, created_at,
    count(*) filter (where kind in ('initial', 'recertification')) over (
      partition by tenant_id, organisation_id, standard_id order by window_start, created_at, id
    ) as cycle
  from evaluations
), labelled as (
  select id, tenant_id, organisation_id, standard_id, window_start, created_at,
    extract(year from window_start)::int::text || '-' ||
    case kind when 'initial' then 'IA' when 'surveillance' then 'S' when 'recertification' then 'R' else 'SP' end ||
    row_number() over (
      partition by tenant_id, organisation_id, standard_id, cycle, kind order by window_start, created_at, id
    )::text as label
  from cycles
), deduplicated as (
  select id, label, row_number() over (
      partition by tenant_id, organisation_id, standard_id, label order by window_start, created_at, id
    ) as nth
  from labelled
)
update evaluations e
  set reference = d.label || case when d.nth > 1 then '-' || d.nth::text else '' end
  from deduplicated d where d.id = e.id;
create unique index evaluations_reference_key on evaluations (tenant_id, organisation_id, standard_id, reference);
update findings f set reference = e.reference || '-' || f.reference
  from evaluations e where e.tenant_id = f.tenant_id and e.id = f.evaluation_id;
alter table audit_log alter column created_at drop default;
`
	);
	await auditChain(db, 'given');
}

/** The chaining trigger (2026-11-26-02), taking a given time within bounds or only the clock. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function auditChain(db: Kysely<any>, time: 'given' | 'clock') {
	const stamp =
		time === 'clock'
			? sql`new.created_at := clock_timestamp();`
			: sql`
  if head.seq > 0 then
    select created_at into earliest from audit_log where tenant_id = new.tenant_id and seq = head.seq;
  else
    select created_at into earliest from tenants where id = new.tenant_id;
  end if;
  if new.created_at is null or new.created_at > clock or earliest is null or new.created_at < earliest then
    new.created_at := clock;
  end if;`;
	await sql`
create or replace function audit_log_chain() returns trigger language plpgsql
  security definer set search_path = public as $$
declare
  head audit_chain_heads%rowtype;
  earliest timestamptz;
  clock timestamptz := clock_timestamp();
begin
  insert into audit_chain_heads as h (tenant_id, seq, hash)
    values (new.tenant_id, 0, repeat('0', 64))
    on conflict (tenant_id) do update set seq = h.seq
    returning * into head;
  new.seq := head.seq + 1;
  new.prev_hash := head.hash;
  ${stamp}
  new.hash := audit_entry_hash(new.prev_hash, new.tenant_id, new.seq, new.actor_user_id, new.action,
    new.entity_type, new.entity_id, new.before, new.after, new.created_at);
  update audit_chain_heads set seq = new.seq, hash = new.hash where tenant_id = new.tenant_id;
  return new;
end $$`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await auditChain(db, 'clock');
	await sql`alter table audit_log alter column created_at set default now()`.execute(db);
	await runScript(
		db,
		`
update findings f set reference = substr(f.reference, length(e.reference) + 2)
  from evaluations e
  where e.tenant_id = f.tenant_id and e.id = f.evaluation_id and e.reference is not null
    and left(f.reference, length(e.reference) + 1) = e.reference || '-';
drop index if exists evaluations_reference_key;
alter table evaluations drop column if exists reference;
`
	);
}
