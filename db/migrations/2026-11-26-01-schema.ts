import type { Kysely } from 'kysely';
import { runScript } from './script';

/*
 * The whole domain of SPEC §3. Every tenant-owned table carries `tenant_id`, has a primary
 * key that starts with it and points at other tenant-owned rows through composite foreign
 * keys (tenant_id, x_id), so a row can never reference another tenant's row and every table
 * can later be distributed by tenant (Citus).
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await runScript(
		db,
		`
create table tenants (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name text not null,
  default_locale text not null default 'zh-CN' check (default_locale in ('zh-CN', 'en')),
  time_zone text not null default 'Asia/Shanghai',
  created_at timestamptz not null default now()
);

-- A person: one global identity, whatever bodies they work with.
create table users (
  id uuid primary key default gen_random_uuid(),
  email text not null,
  name text not null,
  password_hash text,
  locale text check (locale in ('zh-CN', 'en')),
  created_at timestamptz not null default now()
);
create unique index users_email_key on users (lower(email));

create table sessions (
  id text primary key,
  secret_hash bytea not null,
  user_id uuid not null references users (id) on delete cascade,
  tenant_id uuid references tenants (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index sessions_user_idx on sessions (user_id);

create table organisations (
  tenant_id uuid not null references tenants (id),
  id uuid not null default gen_random_uuid(),
  legal_name text not null,
  uscc char(18) not null,
  address text not null default '',
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, uscc)
);
create index organisations_name_idx on organisations (tenant_id, legal_name);

create table contacts (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  organisation_id uuid not null,
  name text not null,
  email text not null,
  phone text not null default '',
  locale text not null default 'zh-CN' check (locale in ('zh-CN', 'en')),
  receives_reminders boolean not null default true,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, organisation_id) references organisations (tenant_id, id) on delete cascade
);
create index contacts_organisation_idx on contacts (tenant_id, organisation_id);

create table memberships (
  tenant_id uuid not null references tenants (id),
  id uuid not null default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  role text not null check (role in ('admin', 'evaluator', 'decision_maker', 'org_admin', 'org_member')),
  organisation_id uuid,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, user_id),
  foreign key (tenant_id, organisation_id) references organisations (tenant_id, id),
  check ((role in ('org_admin', 'org_member')) = (organisation_id is not null))
);
create index memberships_user_idx on memberships (user_id);

create table grade_scales (
  tenant_id uuid not null references tenants (id),
  id uuid not null default gen_random_uuid(),
  name_zh text not null,
  name_en text not null,
  primary key (tenant_id, id)
);

-- Ordered grades of a scale; rank 1 is the highest. min_score turns a score into a grade.
create table grade_levels (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  grade_scale_id uuid not null,
  rank integer not null check (rank > 0),
  code text not null,
  label_zh text not null,
  label_en text not null,
  min_score numeric(5, 2),
  primary key (tenant_id, id),
  unique (tenant_id, grade_scale_id, rank),
  unique (tenant_id, grade_scale_id, code),
  foreign key (tenant_id, grade_scale_id) references grade_scales (tenant_id, id) on delete cascade
);

create table standards (
  tenant_id uuid not null references tenants (id),
  id uuid not null default gen_random_uuid(),
  code text not null,
  title_zh text not null,
  title_en text not null default '',
  category text not null default '',
  grade_scale_id uuid,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, code),
  foreign key (tenant_id, grade_scale_id) references grade_scales (tenant_id, id)
);

create table clauses (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  standard_id uuid not null,
  parent_id uuid,
  number text not null,
  title_zh text not null,
  title_en text not null default '',
  sort_key text not null,
  primary key (tenant_id, id),
  unique (tenant_id, standard_id, number),
  foreign key (tenant_id, standard_id) references standards (tenant_id, id) on delete cascade,
  foreign key (tenant_id, parent_id) references clauses (tenant_id, id)
);
create index clauses_standard_idx on clauses (tenant_id, standard_id, sort_key);

-- Every clock of the product reads these; defaults follow SPEC §3.
create table scheme_rules (
  tenant_id uuid not null,
  standard_id uuid not null,
  certificate_validity_months integer not null default 36 check (certificate_validity_months > 0),
  first_surveillance_months integer not null default 12 check (first_surveillance_months > 0),
  first_surveillance_from text not null default 'decision' check (first_surveillance_from in ('decision', 'issue')),
  max_surveillance_gap_months integer not null default 12 check (max_surveillance_gap_months > 0),
  major_due_days integer not null default 30 check (major_due_days > 0),
  minor_due_days integer not null default 90 check (minor_due_days > 0),
  overdue_minor_becomes_major boolean not null default false,
  max_suspension_months integer not null default 6 check (max_suspension_months > 0),
  suspend_within_days integer not null default 5 check (suspend_within_days > 0),
  version integer not null default 1,
  updated_at timestamptz not null default now(),
  primary key (tenant_id, standard_id),
  foreign key (tenant_id, standard_id) references standards (tenant_id, id) on delete cascade
);

create table certificates (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  number text not null,
  organisation_id uuid not null,
  standard_id uuid not null,
  scope text not null,
  grade_level_id uuid,
  status text not null default 'active' check (status in ('active', 'suspended', 'withdrawn', 'expired')),
  issued_on date not null,
  expires_on date not null,
  decided_on date not null,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, number),
  check (expires_on > issued_on),
  foreign key (tenant_id, organisation_id) references organisations (tenant_id, id),
  foreign key (tenant_id, standard_id) references standards (tenant_id, id),
  foreign key (tenant_id, grade_level_id) references grade_levels (tenant_id, id)
);
create index certificates_organisation_idx on certificates (tenant_id, organisation_id);
create index certificates_status_expiry_idx on certificates (tenant_id, status, expires_on);
create index certificates_standard_idx on certificates (tenant_id, standard_id);

create table evaluations (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  kind text not null check (kind in ('initial', 'surveillance', 'recertification', 'special')),
  certificate_id uuid,
  organisation_id uuid not null,
  standard_id uuid not null,
  window_start date not null,
  window_end date not null,
  status text not null default 'planned' check (status in ('planned', 'in_progress', 'report_issued', 'closed')),
  complaint_id uuid,
  started_at timestamptz,
  report_issued_at timestamptz,
  closed_at timestamptz,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  check (window_end >= window_start),
  check (kind = 'initial' or certificate_id is not null),
  foreign key (tenant_id, certificate_id) references certificates (tenant_id, id),
  foreign key (tenant_id, organisation_id) references organisations (tenant_id, id),
  foreign key (tenant_id, standard_id) references standards (tenant_id, id)
);
create index evaluations_status_window_idx on evaluations (tenant_id, status, window_end);
create index evaluations_certificate_idx on evaluations (tenant_id, certificate_id);
create index evaluations_organisation_idx on evaluations (tenant_id, organisation_id);

create table evaluation_team_members (
  tenant_id uuid not null,
  evaluation_id uuid not null,
  user_id uuid not null references users (id),
  team_role text not null check (team_role in ('lead', 'member')),
  primary key (tenant_id, evaluation_id, user_id),
  foreign key (tenant_id, evaluation_id) references evaluations (tenant_id, id) on delete cascade
);
create unique index evaluation_one_lead_idx on evaluation_team_members (tenant_id, evaluation_id) where team_role = 'lead';
create index evaluation_team_user_idx on evaluation_team_members (tenant_id, user_id);

create table findings (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  evaluation_id uuid not null,
  reference text not null,
  kind text not null check (kind in ('nonconformity', 'observation', 'opportunity')),
  grade text check (grade in ('major', 'minor')),
  clause_id uuid,
  statement text not null,
  objective_evidence text not null default '',
  raised_by uuid not null references users (id),
  raised_on date not null,
  due_on date,
  status text not null default 'open' check (status in ('open', 'response_submitted', 'action_in_progress', 'evidence_submitted', 'closed')),
  follow_up_check_on date,
  closed_at timestamptz,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, evaluation_id, reference),
  check ((kind = 'nonconformity') = (grade is not null)),
  check (kind <> 'nonconformity' or due_on is not null),
  foreign key (tenant_id, evaluation_id) references evaluations (tenant_id, id),
  foreign key (tenant_id, clause_id) references clauses (tenant_id, id)
);
-- The finding lists of SPEC §6: by status and due date (overdue), newest first (keyset), per evaluation.
create index findings_status_due_idx on findings (tenant_id, status, due_on);
create index findings_keyset_idx on findings (tenant_id, raised_on desc, id desc);
create index findings_evaluation_idx on findings (tenant_id, evaluation_id);
create index findings_clause_idx on findings (tenant_id, clause_id);

-- Every change of a finding's due date, with the reason the rules demand.
create table finding_due_changes (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  finding_id uuid not null,
  from_due_on date,
  to_due_on date not null,
  reason text not null check (length(trim(reason)) > 0),
  changed_by uuid not null references users (id),
  changed_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, finding_id) references findings (tenant_id, id) on delete cascade
);

create table responses (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  finding_id uuid not null,
  correction text not null,
  root_cause text not null,
  corrective_action text not null,
  action_owner text not null,
  target_on date not null,
  submitted_by uuid not null references users (id),
  submitted_at timestamptz not null default now(),
  review_status text not null default 'pending' check (review_status in ('pending', 'accepted', 'rejected')),
  reviewed_by uuid references users (id),
  reviewed_at timestamptz,
  review_comment text,
  primary key (tenant_id, id),
  foreign key (tenant_id, finding_id) references findings (tenant_id, id)
);
create index responses_finding_idx on responses (tenant_id, finding_id, submitted_at);

-- One submission of evidence for review; its files are evidence rows.
create table evidence_submissions (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  finding_id uuid not null,
  response_id uuid,
  note text not null default '',
  submitted_by uuid not null references users (id),
  submitted_at timestamptz not null default now(),
  verdict text check (verdict in ('effective', 'not_effective')),
  verdict_by uuid references users (id),
  verdict_at timestamptz,
  verdict_comment text,
  primary key (tenant_id, id),
  foreign key (tenant_id, finding_id) references findings (tenant_id, id),
  foreign key (tenant_id, response_id) references responses (tenant_id, id)
);
create index evidence_submissions_finding_idx on evidence_submissions (tenant_id, finding_id, submitted_at);
create index evidence_submissions_review_idx on evidence_submissions (tenant_id, submitted_at) where verdict is null;

create table evidence (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  finding_id uuid not null,
  submission_id uuid,
  sha256 char(64) not null check (sha256 ~ '^[0-9a-f]{64}$'),
  size_bytes bigint not null check (size_bytes >= 0),
  declared_type text not null default '',
  detected_type text not null,
  original_name text not null,
  note text not null default '',
  uploaded_by uuid not null references users (id),
  uploaded_at timestamptz not null default now(),
  effective_from date not null,
  supersedes_id uuid,
  integrity_status text not null default 'pending' check (integrity_status in ('pending', 'verified', 'rejected')),
  duplicate_of_id uuid,
  primary key (tenant_id, id),
  foreign key (tenant_id, finding_id) references findings (tenant_id, id),
  foreign key (tenant_id, submission_id) references evidence_submissions (tenant_id, id),
  foreign key (tenant_id, supersedes_id) references evidence (tenant_id, id),
  foreign key (tenant_id, duplicate_of_id) references evidence (tenant_id, id)
);
create index evidence_finding_idx on evidence (tenant_id, finding_id, uploaded_at);
create index evidence_sha_idx on evidence (tenant_id, sha256);

create table complaints (
  tenant_id uuid not null references tenants (id),
  id uuid not null default gen_random_uuid(),
  certificate_id uuid,
  organisation_id uuid,
  complainant_name text not null,
  complainant_email text not null,
  body text not null,
  status text not null default 'received' check (status in ('received', 'triaged', 'evaluation_opened', 'dismissed', 'closed')),
  evaluation_id uuid,
  triage_note text,
  received_at timestamptz not null default now(),
  version integer not null default 1,
  primary key (tenant_id, id),
  foreign key (tenant_id, certificate_id) references certificates (tenant_id, id),
  foreign key (tenant_id, organisation_id) references organisations (tenant_id, id),
  foreign key (tenant_id, evaluation_id) references evaluations (tenant_id, id)
);
create index complaints_status_idx on complaints (tenant_id, status, received_at);
alter table evaluations add foreign key (tenant_id, complaint_id) references complaints (tenant_id, id);

create table decisions (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  evaluation_id uuid,
  certificate_id uuid not null,
  kind text not null check (kind in ('grant', 'maintain', 'regrade', 'suspend', 'withdraw', 'restore', 'reduce_scope')),
  reason text not null check (length(trim(reason)) > 0),
  new_grade_level_id uuid,
  new_scope text,
  decided_by uuid not null references users (id),
  decided_on date not null,
  decided_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, evaluation_id) references evaluations (tenant_id, id),
  foreign key (tenant_id, certificate_id) references certificates (tenant_id, id),
  foreign key (tenant_id, new_grade_level_id) references grade_levels (tenant_id, id)
);
create index decisions_certificate_idx on decisions (tenant_id, certificate_id, decided_at);

create table certificate_history (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  certificate_id uuid not null,
  decision_id uuid,
  change text not null check (change in ('issued', 'status', 'grade', 'scope', 'expired', 'renewed')),
  from_status text,
  to_status text,
  from_grade_level_id uuid,
  to_grade_level_id uuid,
  from_scope text,
  to_scope text,
  effective_on date not null,
  recorded_by uuid references users (id),
  recorded_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, certificate_id) references certificates (tenant_id, id),
  foreign key (tenant_id, decision_id) references decisions (tenant_id, id),
  foreign key (tenant_id, from_grade_level_id) references grade_levels (tenant_id, id),
  foreign key (tenant_id, to_grade_level_id) references grade_levels (tenant_id, id)
);
create index certificate_history_idx on certificate_history (tenant_id, certificate_id, recorded_at);
create index certificate_history_registry_idx on certificate_history (tenant_id, recorded_at);

-- Records a CB requires periodically (seed: work orders monthly due the 2nd, statistics weekly due Tuesday).
create table recurring_obligations (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  organisation_id uuid not null,
  certificate_id uuid,
  title_zh text not null,
  title_en text not null default '',
  cadence text not null check (cadence in ('weekly', 'monthly', 'quarterly')),
  -- weekly: ISO weekday of the following week (1 = Monday); monthly/quarterly: day of the following period's first month.
  due_day integer not null check (due_day between 1 and 31),
  starts_on date not null,
  active boolean not null default true,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  check (cadence <> 'weekly' or due_day between 1 and 7),
  foreign key (tenant_id, organisation_id) references organisations (tenant_id, id),
  foreign key (tenant_id, certificate_id) references certificates (tenant_id, id)
);

create table obligation_due_items (
  tenant_id uuid not null,
  id uuid not null default gen_random_uuid(),
  obligation_id uuid not null,
  period_start date not null,
  period_end date not null,
  due_on date not null,
  status text not null default 'pending' check (status in ('pending', 'submitted', 'accepted', 'rejected')),
  submission_id uuid,
  submitted_at timestamptz,
  primary key (tenant_id, id),
  unique (tenant_id, obligation_id, period_start),
  foreign key (tenant_id, obligation_id) references recurring_obligations (tenant_id, id) on delete cascade
);
create index obligation_due_items_due_idx on obligation_due_items (tenant_id, status, due_on);

-- Transactional outbox: written with the change that causes the email, delivered by the mail worker.
create table outbox (
  tenant_id uuid not null references tenants (id),
  id uuid not null default gen_random_uuid(),
  dedupe_key text not null,
  template text not null,
  to_email text not null,
  locale text not null check (locale in ('zh-CN', 'en')),
  subject text not null,
  text_body text not null,
  html_body text not null,
  status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error text,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  primary key (tenant_id, id),
  unique (tenant_id, dedupe_key)
);
create index outbox_pending_idx on outbox (next_attempt_at) where status = 'pending';

-- Append-only, hash-chained per tenant (see the RLS migration for the triggers).
create table audit_log (
  tenant_id uuid not null references tenants (id),
  seq bigint not null,
  id uuid not null default gen_random_uuid(),
  actor_user_id uuid references users (id),
  action text not null,
  entity_type text not null,
  entity_id text not null,
  before jsonb,
  after jsonb,
  created_at timestamptz not null default now(),
  prev_hash char(64) not null,
  hash char(64) not null,
  primary key (tenant_id, seq)
);
create index audit_log_entity_idx on audit_log (tenant_id, entity_type, entity_id, seq);

-- The head of each tenant's chain; its row lock serialises writers of one tenant.
create table audit_chain_heads (
  tenant_id uuid primary key references tenants (id),
  seq bigint not null,
  hash char(64) not null
);
`
	);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await runScript(
		db,
		`
drop table if exists audit_chain_heads, audit_log, outbox, obligation_due_items, recurring_obligations,
  certificate_history, decisions, complaints, evidence, evidence_submissions, responses,
  finding_due_changes, findings, evaluation_team_members, evaluations, certificates, scheme_rules,
  clauses, standards, grade_levels, grade_scales, memberships, contacts, organisations, sessions,
  users, tenants cascade;
`
	);
}
