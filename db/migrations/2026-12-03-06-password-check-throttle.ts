import { sql, type Kysely } from 'kysely';

/*
 * Issue 8 §20/§22: the app role could test password guesses without the sign-in throttle.
 *
 * `app_password_salt` hands out a hash's parameters and salt (never its digest) and
 * `app_password_user` answered whether a digest matched. The hash stayed in the database, but a
 * holder of the app role's credentials could hash guesses on their own machines and ask
 * `app_password_user` as fast as they liked: the sign-in throttle lives in the app (Redis), which
 * such a caller never goes through. PostgreSQL has no argon2, so hashing stays in Node; what moves
 * into the database is a second, coarser throttle, in the one function that answers "does it
 * match":
 *
 * - `app_password_check(email, digest)` counts failed checks per person in a table the app role
 *   cannot touch, atomically (the row is locked, or the first failure upserted, so parallel calls
 *   are counted one by one); a match with no failure on record writes nothing. After PASSWORD_CHECK_MAX_FAILURES failures in PASSWORD_CHECK_WINDOW it answers no
 *   match, and how long until it answers again, even for the right digest; a match clears the
 *   count. Unknown addresses are not counted (no row to grow the table with).
 * - The cap sits far above what the app's own throttle lets one address spend on one account
 *   (auth/rate-limit.ts: 10 per 15 minutes per pair), so a person signing in never meets it unless
 *   many addresses are guessing at their account at once. That is the trade-off: a guesser with
 *   enough addresses (cap ÷ 40 an hour, about 8) can lock a chosen account out for up to an hour,
 *   which the per-pair throttle alone avoided; in exchange the app role can test at most that many
 *   guesses per account per hour instead of any number.
 * - `app_password_user` is dropped: nothing should answer a digest outside the count.
 */

// Keep in step with src/lib/server/services/sign-in.ts (which only reads the answer).
const MAX_FAILURES = 300;
const WINDOW = '1 hour';

const OLD = 'app_password_user(text, text)';
const NEW = 'app_password_check(text, text)';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await sql`
create table password_check_failures (
  user_id uuid primary key references users (id) on delete cascade,
  window_started_at timestamptz not null,
  failures int not null
)`.execute(db);
	// No privilege for the app role at all; RLS without a policy as a second wall (as sessions).
	await sql`revoke all on password_check_failures from certtrack_app`.execute(db);
	await sql`alter table password_check_failures enable row level security`.execute(db);

	await sql.raw(`drop function if exists ${OLD}`).execute(db);
	await sql
		.raw(
			`
create function app_password_check(p_email text, p_digest text)
returns table (matched_user uuid, retry_after_seconds int)
language plpgsql volatile security definer set search_path = public, pg_temp as $fn$
declare
  v_user uuid;
  v_stored text;
  v_failures int;
  v_started timestamptz;
begin
  select u.id, substring(u.password_hash from '[$]([^$]*)$') into v_user, v_stored
  from users u where lower(u.email) = p_email and u.password_hash is not null;
  if v_user is null then
    return query select null::uuid, 0;
    return;
  end if;
  -- Locks the person's count until the caller's transaction ends: parallel checks queue here.
  -- No row (the usual case) means no failure in the window: a match then writes nothing.
  select f.failures, f.window_started_at into v_failures, v_started
  from password_check_failures f where f.user_id = v_user for update;
  if v_started is not null and v_started <= now() - interval '${WINDOW}' then
    v_failures := 0;
  end if;
  if coalesce(v_failures, 0) >= ${MAX_FAILURES} then
    return query select null::uuid,
      greatest(1, ceil(extract(epoch from v_started + interval '${WINDOW}' - now()))::int);
    return;
  end if;
  if v_stored is not distinct from p_digest then
    if v_started is not null then
      delete from password_check_failures where password_check_failures.user_id = v_user;
    end if;
    return query select v_user, 0;
    return;
  end if;
  -- The first failure of a window inserts the row; parallel first failures meet in the upsert.
  insert into password_check_failures as f (user_id, window_started_at, failures)
    values (v_user, now(), 1)
  on conflict (user_id) do update set
    window_started_at = case when f.window_started_at <= now() - interval '${WINDOW}'
                             then now() else f.window_started_at end,
    failures = case when f.window_started_at <= now() - interval '${WINDOW}'
                    then 1 else f.failures + 1 end;
  return query select null::uuid, 0;
end $fn$`
		)
		.execute(db);
	await sql.raw(`revoke all on function ${NEW} from public`).execute(db);
	await sql.raw(`grant execute on function ${NEW} to certtrack_app`).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await sql.raw(`drop function if exists ${NEW}`).execute(db);
	await sql`drop table if exists password_check_failures`.execute(db);
	// The earlier migration's function, as it was (its own down drops it).
	await sql`
create function app_password_user(p_email text, p_digest text)
returns uuid language sql stable security definer set search_path = public, pg_temp as $fn$
  select u.id from users u
  where lower(u.email) = p_email and u.password_hash is not null
    and substring(u.password_hash from '[$]([^$]*)$') = p_digest
$fn$`.execute(db);
	await sql.raw(`revoke all on function ${OLD} from public`).execute(db);
	await sql.raw(`grant execute on function ${OLD} to certtrack_app`).execute(db);
}
