import { sql, type Kysely } from 'kysely';
import { runScript } from './script';

/*
 * Issue 12 item 5: the certified organisation's after-sales service system as the seed describes
 * it (GB/T 27922 §4.1; the seed's 售后服务承诺和目标控制程序 and 网点管理): its commitments and
 * work-order rules ("客户投诉应在 4 小时内上报"), its quantified objectives with their target,
 * owner, measurement period, approval by its management (总经理批准) and recorded measurements,
 * and its service outlets (网点). The organisation keeps them; the body's evaluators read them
 * during an evaluation and may raise a finding against a commitment or an outlet.
 *
 * Every table is tenant-owned with the same RLS policy as the others. Each row belongs to one
 * organisation; `unique (tenant_id, organisation_id, id)` lets children name their organisation
 * through a composite key. A change to an objective keeps the superseded version in
 * `service_objective_versions` (the seed's 变更: changes controlled and recorded), besides the
 * audit log. Each measurement keeps the target it was judged against, so a later change of the
 * target never rewrites whether an earlier period met it.
 */

const TABLES = [
	'service_commitments',
	'service_objectives',
	'service_objective_versions',
	'service_objective_measurements',
	'service_outlets'
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await runScript(
		db,
		`
create table service_commitments (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  organisation_id uuid not null,
  kind text not null check (kind in ('service_commitment', 'work_order_rule')),
  text_zh text not null check (char_length(text_zh) between 1 and 2000),
  text_en text not null default '' check (char_length(text_en) <= 2000),
  limit_value numeric(10, 2) check (limit_value > 0),
  limit_unit text check (limit_unit in ('minutes', 'hours', 'days')),
  status text not null default 'active' check (status in ('active', 'withdrawn')),
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, organisation_id, id),
  check ((limit_value is null) = (limit_unit is null)),
  foreign key (tenant_id, organisation_id) references organisations (tenant_id, id)
);
create index service_commitments_organisation_idx on service_commitments (tenant_id, organisation_id, created_at);

create table service_objectives (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  organisation_id uuid not null,
  title_zh text not null check (char_length(title_zh) between 1 and 200),
  title_en text not null default '' check (char_length(title_en) <= 200),
  metric_zh text not null check (char_length(metric_zh) between 1 and 500),
  metric_en text not null default '' check (char_length(metric_en) <= 500),
  target_value numeric(14, 4) not null,
  unit text not null check (char_length(unit) between 1 and 20),
  direction text not null check (direction in ('at_least', 'at_most')),
  owner text not null check (char_length(owner) between 1 and 100),
  period text not null check (period in ('monthly', 'quarterly', 'yearly')),
  active boolean not null default true,
  approved_by uuid references users (id),
  approved_on date,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, organisation_id, id),
  check ((approved_by is null) = (approved_on is null)),
  foreign key (tenant_id, organisation_id) references organisations (tenant_id, id)
);
create index service_objectives_organisation_idx on service_objectives (tenant_id, organisation_id, created_at);

-- Each superseded version of an objective, as it stood (approval included), and why it changed.
create table service_objective_versions (
  tenant_id uuid not null,
  objective_id uuid not null,
  superseded_version integer not null,
  content jsonb not null,
  change_reason text not null check (char_length(change_reason) between 1 and 2000),
  changed_by uuid not null references users (id),
  changed_at timestamptz not null default now(),
  primary key (tenant_id, objective_id, superseded_version),
  foreign key (tenant_id, objective_id) references service_objectives (tenant_id, id) on delete cascade
);

create table service_objective_measurements (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  objective_id uuid not null,
  period_start date not null,
  period_end date not null,
  value numeric(14, 4) not null,
  -- The target it was judged against when recorded (the objective's at that time).
  target_value numeric(14, 4) not null,
  direction text not null check (direction in ('at_least', 'at_most')),
  objective_version integer not null,
  note text not null default '' check (char_length(note) <= 2000),
  recorded_by uuid not null references users (id),
  recorded_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, objective_id, period_start),
  check (period_end >= period_start),
  foreign key (tenant_id, objective_id) references service_objectives (tenant_id, id) on delete cascade
);

create table service_outlets (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  organisation_id uuid not null,
  name text not null check (char_length(name) between 1 and 200),
  address text not null check (char_length(address) between 1 and 500),
  scope text[] not null check (
    cardinality(scope) >= 1
    and scope <@ array['minor_repair', 'maintenance', 'spare_parts', 'installation', 'home_visit']::text[]),
  publicly_listed boolean not null default true,
  operator text not null check (char_length(operator) between 1 and 200),
  contact_phone text not null default '' check (char_length(contact_phone) <= 50),
  active boolean not null default true,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, organisation_id, id),
  foreign key (tenant_id, organisation_id) references organisations (tenant_id, id)
);
create index service_outlets_organisation_idx on service_outlets (tenant_id, organisation_id, created_at);

-- A finding may name the commitment or outlet it is about. That it is the evaluated
-- organisation's own is the findings service's check (findings carry no organisation column).
alter table findings add column commitment_id uuid;
alter table findings add column outlet_id uuid;
alter table findings add constraint findings_commitment_fk
  foreign key (tenant_id, commitment_id) references service_commitments (tenant_id, id);
alter table findings add constraint findings_outlet_fk
  foreign key (tenant_id, outlet_id) references service_outlets (tenant_id, id);
create index findings_commitment_idx on findings (tenant_id, commitment_id) where commitment_id is not null;
create index findings_outlet_idx on findings (tenant_id, outlet_id) where outlet_id is not null;
`
	);
	for (const table of TABLES) {
		await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
		await sql`alter table ${sql.table(table)} force row level security`.execute(db);
		await sql`create policy tenant_isolation on ${sql.table(table)} using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant())`.execute(
			db
		);
		// The version history is append-only for the app: a past version is never rewritten.
		const privileges =
			table === 'service_objective_versions'
				? sql`select, insert`
				: sql`select, insert, update, delete`;
		await sql`grant ${privileges} on ${sql.table(table)} to certtrack_app`.execute(db);
	}
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await runScript(
		db,
		`
drop index if exists findings_outlet_idx;
drop index if exists findings_commitment_idx;
alter table findings drop constraint if exists findings_outlet_fk;
alter table findings drop constraint if exists findings_commitment_fk;
alter table findings drop column if exists outlet_id;
alter table findings drop column if exists commitment_id;
drop table if exists service_outlets;
drop table if exists service_objective_measurements;
drop table if exists service_objective_versions;
drop table if exists service_objectives;
drop table if exists service_commitments;
`
	);
}
