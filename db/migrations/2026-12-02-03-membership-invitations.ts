import { sql, type Kysely } from 'kysely';

/*
 * Issue 8 §16: a person of another tenant is invited, never attached. An administrator's "add"
 * writes an invitation (and its email); the membership exists only once the person, signed in,
 * accepts it. The invitee sees their own open invitations before choosing a tenant (as they see
 * their own memberships), and the name of the tenant that invited them; nobody in the inviting
 * tenant sees the person's name until they have accepted.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await sql`
create table membership_invitations (
  tenant_id uuid not null references tenants (id),
  id uuid not null default gen_random_uuid(),
  email text not null,
  -- The account the address belonged to when invited, or created with it; null: none yet.
  user_id uuid references users (id) on delete cascade,
  role text not null check (role in ('admin', 'evaluator', 'decision_maker', 'org_admin', 'org_member')),
  organisation_id uuid,
  invited_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  answered_at timestamptz,
  answer text check (answer in ('accepted', 'declined')),
  primary key (tenant_id, id),
  foreign key (tenant_id, organisation_id) references organisations (tenant_id, id),
  check ((role in ('org_admin', 'org_member')) = (organisation_id is not null)),
  check ((answer is null) = (answered_at is null))
)`.execute(db);
	// One open invitation per address and tenant (the name refuseUniqueViolations looks for).
	await sql`
create unique index membership_invitations_open_idx
  on membership_invitations (tenant_id, lower(email)) where answer is null`.execute(db);
	await sql`
create index membership_invitations_user_idx
  on membership_invitations (user_id) where answer is null`.execute(db);
	await sql`alter table membership_invitations enable row level security`.execute(db);
	await sql`alter table membership_invitations force row level security`.execute(db);
	await sql`create policy tenant_isolation on membership_invitations using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant())`.execute(
		db
	);
	// Before a tenant is chosen, the invitee reads and answers their own invitations — but never
	// creates one: an INSERT passes only the tenant policy, so nobody invites themselves anywhere.
	await sql`
create policy own_invitations_read on membership_invitations for select
  using (app_current_tenant() is null and user_id = app_current_user())`.execute(db);
	await sql`
create policy own_invitations_answer on membership_invitations for update
  using (app_current_tenant() is null and user_id = app_current_user())
  with check (app_current_tenant() is null and user_id = app_current_user())`.execute(db);
	await sql`grant select, insert, update, delete on membership_invitations to certtrack_app`.execute(
		db
	);
	await sql`
create policy tenant_inviting on tenants for select using (
  app_current_tenant() is null and exists (
    select 1 from membership_invitations i
    where i.tenant_id = tenants.id and i.user_id = app_current_user() and i.answer is null)
)`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await sql`drop policy if exists tenant_inviting on tenants`.execute(db);
	await sql`drop table if exists membership_invitations`.execute(db);
}
