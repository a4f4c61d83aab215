import { sql, type Kysely } from 'kysely';

/*
 * Issue 13 item 3: every printable document (PDF) the app generates is recorded, so /verify can
 * answer "is this PDF genuine?" from its bytes (SHA-256) or from the short code printed on it.
 *
 * The document's subject is one of three tables, each through its own composite foreign key
 * (tenant_id, x_id), so a document can never name another tenant's certificate, evaluation or
 * finding; the check ties the kind to the one column that is set.
 *
 * A visitor of /verify has no tenant: `app_document_find` (SECURITY DEFINER, as
 * `app_certificate_bodies`) answers only which tenant and which row hold that hash or code;
 * everything shown is then read in that tenant's own scope, under row-level security.
 *
 * Append-only for the app role: a generated PDF stays genuine (no update, no delete).
 */

const FIND = 'app_document_find(bytea, text)';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await sql`
create table documents (
  tenant_id uuid not null references tenants (id),
  id uuid not null default gen_random_uuid(),
  kind text not null
    check (kind in ('certificate', 'evaluation_report', 'nonconformity_report')),
  certificate_id uuid,
  evaluation_id uuid,
  finding_id uuid,
  sha256 bytea not null check (octet_length(sha256) = 32),
  code text not null check (code ~ '^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$'),
  generated_at timestamptz not null default now(),
  generated_by uuid references users (id),
  locale text not null check (locale in ('zh-CN', 'en')),
  primary key (tenant_id, id),
  foreign key (tenant_id, certificate_id) references certificates (tenant_id, id),
  foreign key (tenant_id, evaluation_id) references evaluations (tenant_id, id),
  foreign key (tenant_id, finding_id) references findings (tenant_id, id),
  constraint documents_subject check (
    (kind = 'certificate') = (certificate_id is not null)
    and (kind = 'evaluation_report') = (evaluation_id is not null)
    and (kind = 'nonconformity_report') = (finding_id is not null))
)`.execute(db);
	// Looked up across tenants by either; both are unique over the whole installation.
	await sql`create unique index documents_sha256_idx on documents (sha256)`.execute(db);
	await sql`create unique index documents_code_idx on documents (code)`.execute(db);
	await sql`alter table documents enable row level security`.execute(db);
	await sql`alter table documents force row level security`.execute(db);
	await sql`
create policy tenant_isolation on documents
  using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant())`.execute(
		db
	);
	await sql`grant select, insert on documents to certtrack_app`.execute(db);

	await sql
		.raw(
			`
create function ${FIND.replace('(bytea, text)', '(p_sha256 bytea, p_code text)')}
returns table (tenant_id uuid, id uuid)
language sql stable security definer set search_path = public, pg_temp as $fn$
  select d.tenant_id, d.id from documents d
  where (p_sha256 is not null and d.sha256 = p_sha256) or (p_code is not null and d.code = p_code)
  limit 1
$fn$`
		)
		.execute(db);
	await sql.raw(`revoke all on function ${FIND} from public`).execute(db);
	await sql.raw(`grant execute on function ${FIND} to certtrack_app`).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await sql.raw(`drop function if exists ${FIND}`).execute(db);
	await sql`drop table if exists documents`.execute(db);
}
