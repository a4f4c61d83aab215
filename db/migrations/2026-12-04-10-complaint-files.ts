import type { Kysely } from 'kysely';
import { runScript } from './script';

/*
 * Issue 13 item 4's "optional files": what a complainant attaches to their complaint (a photo, a
 * PDF). The bytes live in the evidence store (content-addressed by SHA-256, never overwritten);
 * a row here points at them. A complainant's file is part of what they said, so like the
 * complaint's text it is never changed or removed by the app: the app role may only read and
 * append. Same tenant policy as every tenant table; the composite FK keeps a file in its
 * complaint's tenant.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await runScript(
		db,
		`
create table complaint_files (
  tenant_id uuid not null references tenants (id),
  id uuid not null default gen_random_uuid(),
  complaint_id uuid not null,
  sha256 char(64) not null check (sha256 ~ '^[0-9a-f]{64}$'),
  size_bytes bigint not null check (size_bytes > 0),
  detected_type text not null,
  original_name text not null check (length(original_name) between 1 and 255),
  uploaded_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, complaint_id) references complaints (tenant_id, id)
);
create index complaint_files_complaint_idx on complaint_files (tenant_id, complaint_id);
alter table complaint_files enable row level security;
alter table complaint_files force row level security;
create policy tenant_isolation on complaint_files
  using (tenant_id = app_current_tenant())
  with check (tenant_id = app_current_tenant());
grant select, insert on complaint_files to certtrack_app;
`
	);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await runScript(db, `drop table if exists complaint_files;`);
}
