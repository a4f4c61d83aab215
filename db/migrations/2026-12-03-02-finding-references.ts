import type { Kysely } from 'kysely';
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
`
	);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
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
