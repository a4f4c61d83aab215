import { sql, type Kysely } from 'kysely';

/*
 * Tenant isolation in PostgreSQL itself. The application's transactions switch to the role
 * `certtrack_app` (set_config('role', …, true), as PostgREST does), which owns nothing and has no
 * BYPASSRLS, and set `app.tenant_id` for that transaction only. Every tenant-owned table has RLS
 * ENABLEd and FORCEd with a policy on that setting: with no tenant set, nothing is visible.
 */

export const APP_ROLE = 'certtrack_app';

export const TENANT_TABLES = [
	'organisations',
	'contacts',
	'memberships',
	'grade_scales',
	'grade_levels',
	'standards',
	'clauses',
	'scheme_rules',
	'certificates',
	'certificate_history',
	'evaluations',
	'evaluation_team_members',
	'findings',
	'finding_due_changes',
	'responses',
	'evidence_submissions',
	'evidence',
	'decisions',
	'recurring_obligations',
	'obligation_due_items',
	'complaints',
	'outbox',
	'audit_log',
	'audit_chain_heads'
] as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	// Roles are cluster-wide: another database of the same cluster may have created it already,
	// possibly at this very moment (parallel test databases).
	await sql`
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'certtrack_app') then
    create role certtrack_app nologin nobypassrls;
  end if;
exception when duplicate_object or unique_violation then null;
end $$`.execute(db);
	// The migrating role must be able to switch to the app role (a superuser always can).
	await sql`
do $$
begin
  if not exists (select 1 from pg_roles where rolname = current_user and rolsuper) then
    execute format('grant certtrack_app to %I', current_user);
  end if;
end $$`.execute(db);

	await sql`
create function app_current_tenant() returns uuid language sql stable as $$
  select nullif(current_setting('app.tenant_id', true), '')::uuid
$$`.execute(db);
	await sql`
create function app_current_user() returns uuid language sql stable as $$
  select nullif(current_setting('app.user_id', true), '')::uuid
$$`.execute(db);

	await sql`grant usage on schema public to certtrack_app`.execute(db);
	await sql`grant execute on function app_current_tenant(), app_current_user() to certtrack_app`.execute(
		db
	);

	// Global identity tables: the app needs them before a tenant is chosen.
	await sql`grant select, insert, update on users to certtrack_app`.execute(db);
	await sql`grant select, insert, update, delete on sessions to certtrack_app`.execute(db);

	// Tenants: a tenant sees its own row; before a tenant is chosen, a person sees the tenants
	// they hold a membership in (to pick one at sign-in), and nothing else.
	await sql`grant select on tenants to certtrack_app`.execute(db);
	await sql`alter table tenants enable row level security`.execute(db);
	await sql`alter table tenants force row level security`.execute(db);
	await sql`
create policy tenant_self on tenants for select using (
  id = app_current_tenant()
  or (app_current_tenant() is null and exists (
    select 1 from memberships m where m.tenant_id = tenants.id and m.user_id = app_current_user()))
)`.execute(db);

	for (const table of TENANT_TABLES) {
		await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
		await sql`alter table ${sql.table(table)} force row level security`.execute(db);
		await sql`create policy tenant_isolation on ${sql.table(table)} using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant())`.execute(
			db
		);
		const privileges =
			table === 'audit_log'
				? sql`select, insert`
				: table === 'audit_chain_heads'
					? sql`select`
					: sql`select, insert, update, delete`;
		await sql`grant ${privileges} on ${sql.table(table)} to certtrack_app`.execute(db);
	}

	// Background jobs visit every tenant, each in its own tenant-scoped transaction; this is the
	// one cross-tenant read the app role has, and it yields ids only.
	await sql`
create function app_tenant_ids() returns setof uuid language sql stable security definer
  set search_path = public as $$ select id from tenants order by created_at $$`.execute(db);
	await sql`revoke all on function app_tenant_ids() from public`.execute(db);
	await sql`grant execute on function app_tenant_ids() to certtrack_app`.execute(db);

	// A person's own memberships across tenants, readable only while no tenant is chosen.
	await sql`
create policy own_memberships_at_sign_in on memberships for select using (
  app_current_tenant() is null and user_id = app_current_user()
)`.execute(db);

	// Append-only audit log: nobody, not even the owner, rewrites history.
	await sql`
create function audit_log_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
end $$`.execute(db);
	await sql`
create trigger audit_log_no_update before update or delete on audit_log
  for each row execute function audit_log_refuse_change()`.execute(db);
	await sql`
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function audit_log_refuse_change()`.execute(db);

	// The chain: each entry's hash covers its content and the tenant's previous hash. Taking the
	// head row's lock (insert … on conflict do update) serialises concurrent writers of a tenant,
	// so two transactions can never both extend the same previous entry. The trigger runs with its
	// owner's rights so the app role can read the chain head but never move it itself; RLS (forced)
	// still holds it to the transaction's tenant.
	await sql`
create function audit_entry_hash(
  p_prev_hash text, p_tenant_id uuid, p_seq bigint, p_actor uuid, p_action text, p_entity_type text,
  p_entity_id text, p_before jsonb, p_after jsonb, p_created_at timestamptz
) returns text language sql immutable as $$
  select encode(sha256(convert_to(concat_ws('|',
    p_prev_hash, p_tenant_id::text, p_seq::text, coalesce(p_actor::text, ''), p_action, p_entity_type,
    p_entity_id, coalesce(p_before::text, ''), coalesce(p_after::text, ''),
    (extract(epoch from p_created_at) * 1000000)::bigint::text), 'UTF8')), 'hex')
$$`.execute(db);
	await sql`grant execute on function audit_entry_hash(text, uuid, bigint, uuid, text, text, text, jsonb, jsonb, timestamptz) to certtrack_app`.execute(
		db
	);
	await sql`
create function audit_log_chain() returns trigger language plpgsql
  security definer set search_path = public as $$
declare
  head audit_chain_heads%rowtype;
begin
  insert into audit_chain_heads as h (tenant_id, seq, hash)
    values (new.tenant_id, 0, repeat('0', 64))
    on conflict (tenant_id) do update set seq = h.seq
    returning * into head;
  new.seq := head.seq + 1;
  new.prev_hash := head.hash;
  new.created_at := clock_timestamp();
  new.hash := audit_entry_hash(new.prev_hash, new.tenant_id, new.seq, new.actor_user_id, new.action,
    new.entity_type, new.entity_id, new.before, new.after, new.created_at);
  update audit_chain_heads set seq = new.seq, hash = new.hash where tenant_id = new.tenant_id;
  return new;
end $$`.execute(db);
	await sql`
create trigger audit_log_chain before insert on audit_log
  for each row execute function audit_log_chain()`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await sql`drop trigger if exists audit_log_chain on audit_log`.execute(db);
	await sql`drop trigger if exists audit_log_no_update on audit_log`.execute(db);
	await sql`drop trigger if exists audit_log_no_truncate on audit_log`.execute(db);
	await sql`drop function if exists audit_log_chain(), audit_log_refuse_change(), audit_entry_hash(text, uuid, bigint, uuid, text, text, text, jsonb, jsonb, timestamptz)`.execute(
		db
	);
	for (const table of TENANT_TABLES) {
		await sql`drop policy if exists tenant_isolation on ${sql.table(table)}`.execute(db);
		await sql`alter table ${sql.table(table)} no force row level security`.execute(db);
		await sql`alter table ${sql.table(table)} disable row level security`.execute(db);
		await sql`revoke all on ${sql.table(table)} from certtrack_app`.execute(db);
	}
	await sql`drop policy if exists own_memberships_at_sign_in on memberships`.execute(db);
	await sql`drop policy if exists tenant_self on tenants`.execute(db);
	await sql`revoke all on tenants, users, sessions from certtrack_app`.execute(db);
	await sql`drop function if exists app_current_tenant(), app_current_user(), app_tenant_ids()`.execute(
		db
	);
	await sql`revoke usage on schema public from certtrack_app`.execute(db);
}
