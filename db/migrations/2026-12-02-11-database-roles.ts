import { sql, type Kysely } from 'kysely';

/*
 * Issue 8 §20: the app role never reads a password hash nor another person's session.
 *
 * - `sessions`: the app role has no privilege on the table at all. It creates, finds, extends,
 *   re-scopes and deletes a session through the SECURITY DEFINER functions below, each by the
 *   session's id (the random, unguessable half of the cookie); none lists sessions. RLS is
 *   ENABLEd without a policy as a second wall (a stray GRANT still shows nothing); it is not
 *   FORCEd, so the functions, running as the table's owner, see the rows.
 * - `users`: the app role reads every column but `password_hash` (column privileges: names and
 *   emails appear on many pages). Sign-in gets only the argon2 parameters and salt of one
 *   address (`app_password_salt`), computes the digest of the typed password itself and asks
 *   `app_password_user` whether it matches: the stored hash never leaves the database.
 * - The migrations table is readable, so a process connected as the app role can tell that the
 *   owner has migrated the schema it expects (it cannot migrate itself).
 *
 * Run time logs in as `certtrack_app` itself (DATABASE_URL), not as the owner: a role that is not
 * a member of the owner cannot SET ROLE / RESET ROLE back to it. The migrate CLI, run as the
 * owner (DATABASE_OWNER_URL), gives the role LOGIN (and the password of DATABASE_URL). The
 * embedded PGlite has one user, so there transactions still switch with SET ROLE (tenant-scope).
 *
 * Columns added to `users` later need their own `grant select (…)`: the migrations test compares
 * the app role's readable columns with the catalogue.
 */

export const APP_ROLE = 'certtrack_app';

const SESSION_FUNCTIONS = [
	'app_session_insert(text, bytea, uuid, timestamptz)',
	'app_session_find(text)',
	'app_session_extend(text, timestamptz)',
	'app_session_set_tenant(text, uuid)',
	'app_session_delete(text)',
	'app_sessions_delete_expired(timestamptz)',
	'app_password_salt(text)',
	'app_password_user(text, text)'
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await sql`revoke all on sessions from certtrack_app`.execute(db);
	await sql`alter table sessions enable row level security`.execute(db);

	await sql`revoke all on users from certtrack_app`.execute(db);
	await sql`grant insert on users to certtrack_app`.execute(db);
	await sql`
do $$
begin
  execute (
    select format('grant select (%s) on users to certtrack_app', string_agg(quote_ident(column_name), ', '))
    from information_schema.columns
    where table_schema = 'public' and table_name = 'users' and column_name <> 'password_hash');
end $$`.execute(db);
	await sql`grant update (name, locale, mail_mode) on users to certtrack_app`.execute(db);

	await sql`grant select on kysely_migration to certtrack_app`.execute(db);

	// Before PostgreSQL 15 every role may create objects in `public`; the app role must not (an
	// object of its own there could be picked up by a function running with more rights). Only
	// the schema's owner (or a superuser) can revoke it; elsewhere it is already revoked.
	await sql`
do $$
begin
  if has_schema_privilege('certtrack_app', 'public', 'create') then
    revoke create on schema public from public;
  end if;
exception when insufficient_privilege then
  raise warning 'could not revoke CREATE on schema public from PUBLIC: %', sqlerrm;
end $$`.execute(db);

	// Every function below: the owner's rights, a fixed search_path with pg_temp last (so a
	// temporary object of the caller never stands in for a table), EXECUTE for the app role only.
	await sql`
create function app_session_insert(p_id text, p_secret_hash bytea, p_user_id uuid, p_expires_at timestamptz)
returns void language plpgsql volatile security definer set search_path = public, pg_temp as $fn$
begin
  -- Only for the person the transaction acts as (createSession runs as that person).
  if p_user_id is distinct from app_current_user() then
    raise exception 'a session is created only for the acting person' using errcode = 'insufficient_privilege';
  end if;
  insert into sessions (id, secret_hash, user_id, expires_at)
    values (p_id, p_secret_hash, p_user_id, p_expires_at);
end $fn$`.execute(db);
	await sql`
create function app_session_find(p_id text)
returns table (id text, secret_hash bytea, expires_at timestamptz, tenant_id uuid, user_id uuid,
  email text, name text, locale text)
language sql stable security definer set search_path = public, pg_temp as $fn$
  select s.id, s.secret_hash, s.expires_at, s.tenant_id, u.id, u.email, u.name, u.locale
  from sessions s join users u on u.id = s.user_id
  where s.id = p_id
$fn$`.execute(db);
	await sql`
create function app_session_extend(p_id text, p_expires_at timestamptz)
returns void language sql volatile security definer set search_path = public, pg_temp as $fn$
  update sessions set expires_at = p_expires_at where id = p_id
$fn$`.execute(db);
	await sql`
create function app_session_set_tenant(p_id text, p_tenant_id uuid)
returns void language sql volatile security definer set search_path = public, pg_temp as $fn$
  -- Only the session's own person re-scopes it (chooseTenant runs as that person).
  update sessions set tenant_id = p_tenant_id where id = p_id and user_id = app_current_user()
$fn$`.execute(db);
	await sql`
create function app_session_delete(p_id text)
returns void language sql volatile security definer set search_path = public, pg_temp as $fn$
  delete from sessions where id = p_id
$fn$`.execute(db);
	await sql`
create function app_sessions_delete_expired(p_now timestamptz)
returns void language sql volatile security definer set search_path = public, pg_temp as $fn$
  delete from sessions where expires_at <= p_now
$fn$`.execute(db);

	// Sign-in: the PHC string without its digest ("$argon2id$v=19$m=…,t=…,p=…$<salt>") and the
	// digest's length in base64 characters, for an address given lower-cased and trimmed.
	await sql`
create function app_password_salt(p_email text)
returns table (salt text, digest_length int)
language sql stable security definer set search_path = public, pg_temp as $fn$
  select regexp_replace(u.password_hash, '[$][^$]*$', ''),
         length(substring(u.password_hash from '[$]([^$]*)$'))
  from users u
  where lower(u.email) = p_email and u.password_hash is not null
$fn$`.execute(db);
	// The person whose stored digest equals the one computed from the typed password, or null.
	await sql`
create function app_password_user(p_email text, p_digest text)
returns uuid language sql stable security definer set search_path = public, pg_temp as $fn$
  select u.id from users u
  where lower(u.email) = p_email and u.password_hash is not null
    and substring(u.password_hash from '[$]([^$]*)$') = p_digest
$fn$`.execute(db);

	for (const fn of SESSION_FUNCTIONS) {
		await sql.raw(`revoke all on function ${fn} from public`).execute(db);
		await sql.raw(`grant execute on function ${fn} to certtrack_app`).execute(db);
	}
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	for (const fn of SESSION_FUNCTIONS) await sql.raw(`drop function if exists ${fn}`).execute(db);
	await sql`revoke select on kysely_migration from certtrack_app`.execute(db);
	await sql`revoke all on users from certtrack_app`.execute(db);
	await sql`grant select, insert, update on users to certtrack_app`.execute(db);
	await sql`alter table sessions disable row level security`.execute(db);
	await sql`grant select, insert, update, delete on sessions to certtrack_app`.execute(db);
}
