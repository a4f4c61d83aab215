import { sql, type Kysely } from 'kysely';

/*
 * Issue 12 items 1 and 8 (and issue 13's printed documents): a body's own settings.
 *
 * - `name_en`: the body's name in English (the existing `name` is its Chinese name); PDFs,
 *   emails and /verify show the one of the reader's language, falling back to `name`.
 * - `certificate_number_pattern`: how granted certificates are numbered
 *   (src/lib/server/domain/certificate-number.ts has the syntax); numbers are allocated by a
 *   grant decision, one counter per rendered prefix.
 * - `mail_sender_name`: the display name on the From line of the body's emails ('' = its name).
 * - `logo` / `logo_type`: a PNG or JPEG shown on PDFs and emails (PDF libraries draw no SVG).
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await sql`
alter table tenants
  add column name_en text not null default '',
  add column certificate_number_pattern text not null default '{standard}-{year}-{seq:4}'
    check (length(certificate_number_pattern) between 6 and 60),
  add column mail_sender_name text not null default '',
  add column logo bytea,
  add column logo_type text check (logo_type in ('image/png', 'image/jpeg')),
  add column settings_version integer not null default 1,
  add constraint tenants_logo_pair check ((logo is null) = (logo_type is null))`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await sql`
alter table tenants
  drop constraint if exists tenants_logo_pair,
  drop column if exists settings_version,
  drop column if exists logo_type,
  drop column if exists logo,
  drop column if exists mail_sender_name,
  drop column if exists certificate_number_pattern,
  drop column if exists name_en`.execute(db);
}
