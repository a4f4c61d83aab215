import { sql, type Kysely } from 'kysely';

/*
 * Issue 13 item 1: public certificate verification, with no session.
 *
 * A visitor has no membership, so the `tenants` policy (a tenant's own row, or a person's
 * memberships) shows them nothing, and a certificate number alone says nothing of its body. Two
 * SECURITY DEFINER functions answer only those two questions, with public columns only:
 *
 * - `app_public_tenant(slug)`: the body with that public slug (id, slug, name, time zone).
 * - `app_certificate_bodies(number)`: the bodies holding a certificate with exactly that number
 *   (the same public columns; no certificate column).
 *
 * Everything a verification page shows is then read in that body's own tenant scope
 * (`app.tenant_id` set, as for a job), so row-level security still decides: `/verify/<slug>` can
 * never read another body's rows, whatever its query says. A definer function returning the
 * certificate columns themselves would have meant a second, hand-written copy of the tenant
 * boundary that RLS could not check.
 */

const FUNCTIONS = ['app_public_tenant(text)', 'app_certificate_bodies(text)'];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	// The cross-body lookup by exact number: the unique key starts with tenant_id.
	await sql`create index certificates_number_idx on certificates (number)`.execute(db);
	await sql`
create function app_public_tenant(p_slug text)
returns table (id uuid, slug text, name text, time_zone text)
language sql stable security definer set search_path = public, pg_temp as $fn$
  select t.id, t.slug, t.name, t.time_zone from tenants t where t.slug = p_slug
$fn$`.execute(db);
	await sql`
create function app_certificate_bodies(p_number text)
returns table (id uuid, slug text, name text, time_zone text)
language sql stable security definer set search_path = public, pg_temp as $fn$
  select t.id, t.slug, t.name, t.time_zone from certificates c join tenants t on t.id = c.tenant_id
  where c.number = p_number order by t.slug limit 20
$fn$`.execute(db);
	for (const fn of FUNCTIONS) {
		await sql.raw(`revoke all on function ${fn} from public`).execute(db);
		await sql.raw(`grant execute on function ${fn} to certtrack_app`).execute(db);
	}
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	for (const fn of FUNCTIONS) await sql.raw(`drop function if exists ${fn}`).execute(db);
	await sql`drop index if exists certificates_number_idx`.execute(db);
}
