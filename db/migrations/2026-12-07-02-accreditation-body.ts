import { sql, type Kysely } from 'kysely';

/*
 * The accreditation body a tenant's certificates are issued under, as the registry exports name it
 * (IAF CertSearch's "Accreditation Body"; '' = the body is not accredited). Until now every body
 * was taken to be accredited by CNAS, so existing tenants keep that. An admin edits it on /settings
 * like the other settings columns (the `tenant_admin_update` policy of 2026-12-04-06-people).
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await sql`
alter table tenants
  add column accreditation_body text not null default 'CNAS'
    check (length(accreditation_body) <= 100)`.execute(db);
	await sql`grant update (accreditation_body) on tenants to certtrack_app`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await sql`revoke update (accreditation_body) on tenants from certtrack_app`.execute(db);
	await sql`alter table tenants drop column if exists accreditation_body`.execute(db);
}
