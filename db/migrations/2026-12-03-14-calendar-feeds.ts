import { sql, type Kysely } from 'kysely';

/*
 * Issue 11 item 3: each person's iCalendar feed, a secret URL their calendar (Outlook, 钉钉, a
 * phone) fetches without signing in. Only a SHA-256 of the URL's random token is stored, so a
 * copy of the table opens nobody's feed. A person has at most one live feed per tenant; making a
 * new one revokes the old, and a revoked feed answers 404 from then on.
 *
 * The feed's request has no session, hence no tenant: `app_calendar_feed_find` (SECURITY DEFINER,
 * as the sessions' functions) answers the tenant and person of a live token's hash and nothing
 * else, so the request can then act in that tenant, as that person, under row-level security.
 */

const FIND = 'app_calendar_feed_find(bytea)';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await sql`
create table calendar_feeds (
  tenant_id uuid not null references tenants (id),
  id uuid not null default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  token_hash bytea not null check (octet_length(token_hash) = 32),
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  primary key (tenant_id, id)
)`.execute(db);
	await sql`create unique index calendar_feeds_token_idx on calendar_feeds (token_hash)`.execute(
		db
	);
	// One live feed per person and tenant (creating another revokes it first).
	await sql`
create unique index calendar_feeds_live_idx
  on calendar_feeds (tenant_id, user_id) where revoked_at is null`.execute(db);
	await sql`alter table calendar_feeds enable row level security`.execute(db);
	await sql`alter table calendar_feeds force row level security`.execute(db);
	// A person's feeds are theirs alone: not even the tenant's admin lists another's.
	await sql`
create policy tenant_isolation on calendar_feeds
  using (tenant_id = app_current_tenant() and user_id = app_current_user())
  with check (tenant_id = app_current_tenant() and user_id = app_current_user())`.execute(db);
	await sql`grant select, insert, update on calendar_feeds to certtrack_app`.execute(db);

	await sql
		.raw(
			`
create function ${FIND.replace('(bytea)', '(p_token_hash bytea)')}
returns table (tenant_id uuid, user_id uuid)
language sql stable security definer set search_path = public, pg_temp as $fn$
  select f.tenant_id, f.user_id from calendar_feeds f
  join memberships m on m.tenant_id = f.tenant_id and m.user_id = f.user_id
  where f.token_hash = p_token_hash and f.revoked_at is null
$fn$`
		)
		.execute(db);
	await sql.raw(`revoke all on function ${FIND} from public`).execute(db);
	await sql.raw(`grant execute on function ${FIND} to certtrack_app`).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await sql.raw(`drop function if exists ${FIND}`).execute(db);
	await sql`drop table if exists calendar_feeds`.execute(db);
}
