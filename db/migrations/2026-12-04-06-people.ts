import { sql, type Kysely } from 'kysely';

/*
 * Issue 12 items 7 and 8: people (deactivation, password reset and change) and the tenant's own
 * settings.
 *
 * - `memberships.deactivated_at/by`: deactivation is per body (a person may work for several).
 *   A deactivated membership cannot act in its tenant (the repositories leave it out of sign-in,
 *   switching and request resolution), and its sessions acting there are deleted in the same
 *   transaction through `app_sessions_delete_for_member`, which reaches only the sessions of a
 *   member of the transaction's own tenant that act in that tenant. Its calendar feed stops too.
 * - `password_reset_tokens`: a global table like `sessions` (a password is the person's, across
 *   bodies). Only the SHA-256 of the emailed token is kept; the app role has no privilege on the
 *   table and asks SECURITY DEFINER functions: record a token, tell whether one is live, and use
 *   one (once, before it expires), which sets the new hash and deletes every session of the
 *   person in one statement's transaction.
 * - `app_password_change`: the signed-in person's new password, given the digest of the current
 *   one, checked (and counted) by `app_password_check` itself, so the app role still changes no
 *   password without knowing it; the person's other sessions are deleted.
 * - `tenants`: an administrator of the tenant updates its own row's settings columns (a policy
 *   for UPDATE on the transaction's tenant, held by an active admin membership, and column grants);
 *   no other tenant's row, and never its id.
 */

const FUNCTIONS = [
	'app_sessions_delete_for_member(uuid)',
	'app_password_reset_insert(uuid, bytea, timestamptz)',
	'app_password_reset_live(bytea, timestamptz)',
	'app_password_reset_use(bytea, text, timestamptz)',
	'app_password_change(text, text, text, text)'
];

const FEED_FIND = 'app_calendar_feed_find(p_token_hash bytea)';

const SETTINGS_COLUMNS = [
	'name',
	'name_en',
	'slug',
	'time_zone',
	'default_locale',
	'certificate_number_pattern',
	'mail_sender_name',
	'logo',
	'logo_type',
	'settings_version'
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await sql`
alter table memberships
  add column deactivated_at timestamptz,
  add column deactivated_by uuid references users (id) on delete set null,
  add constraint memberships_deactivated_by_when check (deactivated_by is null or deactivated_at is not null)`.execute(
		db
	);

	await sql`
create table password_reset_tokens (
  token_hash bytea primary key check (octet_length(token_hash) = 32),
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
)`.execute(db);
	await sql`create index password_reset_tokens_user_idx on password_reset_tokens (user_id)`.execute(
		db
	);
	// No privilege for the app role; RLS without a policy as a second wall (as sessions).
	await sql`revoke all on password_reset_tokens from certtrack_app`.execute(db);
	await sql`alter table password_reset_tokens enable row level security`.execute(db);

	await sql`
create function app_sessions_delete_for_member(p_user_id uuid)
returns int language plpgsql volatile security definer set search_path = public, pg_temp as $fn$
declare
  v_count int;
begin
  -- Only a member of the transaction's tenant, and only their sessions acting in it.
  if app_current_tenant() is null or not exists (
    select 1 from memberships m where m.tenant_id = app_current_tenant() and m.user_id = p_user_id) then
    return 0;
  end if;
  delete from sessions where user_id = p_user_id and tenant_id = app_current_tenant();
  get diagnostics v_count = row_count;
  return v_count;
end $fn$`.execute(db);

	await sql`
create function app_password_reset_insert(p_user_id uuid, p_token_hash bytea, p_expires_at timestamptz)
returns void language sql volatile security definer set search_path = public, pg_temp as $fn$
  insert into password_reset_tokens (token_hash, user_id, expires_at)
    values (p_token_hash, p_user_id, p_expires_at)
$fn$`.execute(db);
	await sql`
create function app_password_reset_live(p_token_hash bytea, p_now timestamptz)
returns uuid language sql stable security definer set search_path = public, pg_temp as $fn$
  select user_id from password_reset_tokens
  where token_hash = p_token_hash and used_at is null and expires_at > p_now
$fn$`.execute(db);
	// Marking it used is the row's lock: of two uses at once, the second finds it used.
	await sql`
create function app_password_reset_use(p_token_hash bytea, p_password_hash text, p_now timestamptz)
returns uuid language plpgsql volatile security definer set search_path = public, pg_temp as $fn$
declare
  v_user uuid;
begin
  update password_reset_tokens set used_at = p_now
    where token_hash = p_token_hash and used_at is null and expires_at > p_now
    returning user_id into v_user;
  if v_user is null then
    return null;
  end if;
  update users set password_hash = p_password_hash where id = v_user;
  -- The other links sent to the person die with this one, and every session with the old password.
  update password_reset_tokens set used_at = p_now where user_id = v_user and used_at is null;
  delete from sessions where user_id = v_user;
  delete from password_check_failures where user_id = v_user;
  return v_user;
end $fn$`.execute(db);
	await sql`
create function app_password_change(p_email text, p_current_digest text, p_password_hash text, p_keep_session text)
returns table (changed boolean, retry_after_seconds int)
language plpgsql volatile security definer set search_path = public, pg_temp as $fn$
declare
  v_user uuid;
  v_retry int;
begin
  select c.matched_user, c.retry_after_seconds into v_user, v_retry
    from app_password_check(p_email, p_current_digest) c;
  if v_user is null or v_user is distinct from app_current_user() then
    return query select false, coalesce(v_retry, 0);
    return;
  end if;
  update users set password_hash = p_password_hash where id = v_user;
  delete from sessions where user_id = v_user and id <> p_keep_session;
  update password_reset_tokens set used_at = now() where user_id = v_user and used_at is null;
  return query select true, 0;
end $fn$`.execute(db);

	for (const fn of FUNCTIONS) {
		await sql.raw(`revoke all on function ${fn} from public`).execute(db);
		await sql.raw(`grant execute on function ${fn} to certtrack_app`).execute(db);
	}

	// A deactivated member's feed answers 404 like a revoked one.
	await sql
		.raw(
			`
create or replace function ${FEED_FIND}
returns table (tenant_id uuid, user_id uuid)
language sql stable security definer set search_path = public, pg_temp as $fn$
  select f.tenant_id, f.user_id from calendar_feeds f
  join memberships m on m.tenant_id = f.tenant_id and m.user_id = f.user_id
  where f.token_hash = p_token_hash and f.revoked_at is null and m.deactivated_at is null
$fn$`
		)
		.execute(db);

	await sql
		.raw(`grant update (${SETTINGS_COLUMNS.join(', ')}) on tenants to certtrack_app`)
		.execute(db);
	await sql`
create policy tenant_admin_update on tenants for update
  using (id = app_current_tenant() and exists (
    select 1 from memberships m
    where m.tenant_id = tenants.id and m.user_id = app_current_user()
      and m.role = 'admin' and m.deactivated_at is null))
  with check (id = app_current_tenant())`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await sql`drop policy if exists tenant_admin_update on tenants`.execute(db);
	await sql
		.raw(`revoke update (${SETTINGS_COLUMNS.join(', ')}) on tenants from certtrack_app`)
		.execute(db);
	await sql
		.raw(
			`
create or replace function ${FEED_FIND}
returns table (tenant_id uuid, user_id uuid)
language sql stable security definer set search_path = public, pg_temp as $fn$
  select f.tenant_id, f.user_id from calendar_feeds f
  join memberships m on m.tenant_id = f.tenant_id and m.user_id = f.user_id
  where f.token_hash = p_token_hash and f.revoked_at is null
$fn$`
		)
		.execute(db);
	for (const fn of FUNCTIONS) await sql.raw(`drop function if exists ${fn}`).execute(db);
	await sql`drop table if exists password_reset_tokens`.execute(db);
	await sql`
alter table memberships
  drop constraint if exists memberships_deactivated_by_when,
  drop column if exists deactivated_by,
  drop column if exists deactivated_at`.execute(db);
}
