import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/* Row types of the migrations in db/migrations, written by hand so they read as documentation. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
/** `date` columns travel as 'YYYY-MM-DD' strings: a deadline is a calendar day, not an instant. */
type DateOnly = ColumnType<string, string, string>;
type Json = ColumnType<unknown, string | undefined | null, string | null>;

export type Locale = 'zh-CN' | 'en';
export type Role = 'admin' | 'evaluator' | 'decision_maker' | 'org_admin' | 'org_member';
export type CertificateStatus = 'active' | 'suspended' | 'withdrawn' | 'expired';
export type EvaluationKind = 'initial' | 'surveillance' | 'recertification' | 'special';
export type EvaluationStatus = 'planned' | 'in_progress' | 'report_issued' | 'closed';
export type FindingKind = 'nonconformity' | 'observation' | 'opportunity';
export type NonconformityGrade = 'major' | 'minor';
export type FindingStatus =
	'open' | 'response_submitted' | 'action_in_progress' | 'evidence_submitted' | 'closed';
export type DecisionKind =
	| 'grant'
	| 'maintain'
	| 'regrade'
	| 'suspend'
	| 'withdraw'
	| 'restore'
	| 'reduce_scope'
	| 'renew'
	| 'extend_scope';

export interface TenantsTable {
	id: Generated<string>;
	slug: string;
	name: string;
	default_locale: ColumnType<Locale, Locale | undefined, Locale>;
	time_zone: ColumnType<string, string | undefined, string>;
	created_at: CreatedAt;
	/** The body's English name ('' = show `name`). */
	name_en: ColumnType<string, string | undefined, string>;
	/** How a grant numbers certificates: see src/lib/server/domain/certificate-number.ts. */
	certificate_number_pattern: ColumnType<string, string | undefined, string>;
	/** The From display name of the body's emails ('' = its name). */
	mail_sender_name: ColumnType<string, string | undefined, string>;
	logo: Buffer | null;
	logo_type: 'image/png' | 'image/jpeg' | null;
	settings_version: ColumnType<number, number | undefined, number>;
	/** Who accredits the body, as the registry exports name it ('' = not accredited). */
	accreditation_body: ColumnType<string, string | undefined, string>;
}

export interface UsersTable {
	id: Generated<string>;
	email: string;
	name: string;
	password_hash: string | null;
	locale: Locale | null;
	created_at: CreatedAt;
}

export interface SessionsTable {
	id: string;
	secret_hash: Uint8Array;
	user_id: string;
	tenant_id: string | null;
	created_at: CreatedAt;
	expires_at: Timestamp;
}

export interface OrganisationsTable {
	tenant_id: string;
	id: Generated<string>;
	legal_name: string;
	uscc: string;
	address: ColumnType<string, string | undefined, string>;
	version: Generated<number>;
	created_at: CreatedAt;
	updated_at: Generated<Date>;
}

export interface ContactsTable {
	tenant_id: string;
	id: Generated<string>;
	organisation_id: string;
	name: string;
	email: string;
	phone: ColumnType<string, string | undefined, string>;
	locale: ColumnType<Locale, Locale | undefined, Locale>;
	receives_reminders: Generated<boolean>;
	created_at: CreatedAt;
}

export interface MembershipsTable {
	tenant_id: string;
	id: Generated<string>;
	user_id: string;
	role: Role;
	organisation_id: string | null;
	created_at: CreatedAt;
}

export interface MembershipInvitationsTable {
	tenant_id: string;
	id: Generated<string>;
	email: string;
	user_id: string | null;
	role: Role;
	organisation_id: string | null;
	invited_by: string | null;
	created_at: CreatedAt;
	answered_at: Date | null;
	answer: 'accepted' | 'declined' | null;
}

export interface GradeScalesTable {
	tenant_id: string;
	id: Generated<string>;
	name_zh: string;
	name_en: string;
}

export interface GradeLevelsTable {
	tenant_id: string;
	id: Generated<string>;
	grade_scale_id: string;
	rank: number;
	code: string;
	label_zh: string;
	label_en: string;
	min_score: string | null;
}

export interface StandardsTable {
	tenant_id: string;
	id: Generated<string>;
	code: string;
	title_zh: string;
	title_en: ColumnType<string, string | undefined, string>;
	category: ColumnType<string, string | undefined, string>;
	category_en: ColumnType<string, string | undefined, string>;
	grade_scale_id: string | null;
	version: Generated<number>;
	created_at: CreatedAt;
}

export interface ClausesTable {
	tenant_id: string;
	id: Generated<string>;
	standard_id: string;
	parent_id: string | null;
	number: string;
	title_zh: string;
	title_en: ColumnType<string, string | undefined, string>;
	sort_key: string;
}

export interface SchemeRulesTable {
	tenant_id: string;
	standard_id: string;
	certificate_validity_months: Generated<number>;
	first_surveillance_months: Generated<number>;
	first_surveillance_from: ColumnType<'decision' | 'issue', 'decision' | 'issue' | undefined>;
	max_surveillance_gap_months: Generated<number>;
	major_due_days: Generated<number>;
	minor_due_days: Generated<number>;
	overdue_minor_becomes_major: Generated<boolean>;
	max_suspension_months: Generated<number>;
	suspend_within_days: Generated<number>;
	version: Generated<number>;
	updated_at: Generated<Date>;
}

export interface CertificatesTable {
	tenant_id: string;
	id: Generated<string>;
	number: string;
	organisation_id: string;
	standard_id: string;
	scope: string;
	grade_level_id: string | null;
	status: ColumnType<CertificateStatus, CertificateStatus | undefined, CertificateStatus>;
	issued_on: DateOnly;
	expires_on: DateOnly;
	decided_on: DateOnly;
	version: Generated<number>;
	created_at: CreatedAt;
	updated_at: Generated<Date>;
}

export interface CertificateHistoryTable {
	tenant_id: string;
	id: Generated<string>;
	certificate_id: string;
	decision_id: string | null;
	change: CertificateHistoryChange;
	from_status: CertificateStatus | null;
	to_status: CertificateStatus | null;
	from_grade_level_id: string | null;
	to_grade_level_id: string | null;
	from_scope: string | null;
	to_scope: string | null;
	effective_on: DateOnly;
	recorded_by: string | null;
	recorded_at: CreatedAt;
}

export interface EvaluationsTable {
	tenant_id: string;
	id: Generated<string>;
	kind: EvaluationKind;
	certificate_id: string | null;
	organisation_id: string;
	standard_id: string;
	window_start: DateOnly;
	window_end: DateOnly;
	status: ColumnType<EvaluationStatus, EvaluationStatus | undefined, EvaluationStatus>;
	complaint_id: string | null;
	started_at: Date | null;
	report_issued_at: Date | null;
	closed_at: Date | null;
	version: Generated<number>;
	created_at: CreatedAt;
	/** `2026-S1`: set when its first finding is recorded (migration 2026-12-03-02-finding-references). */
	reference: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface EvaluationTeamMembersTable {
	tenant_id: string;
	evaluation_id: string;
	user_id: string;
	team_role: 'lead' | 'member';
}

export interface FindingsTable {
	tenant_id: string;
	id: Generated<string>;
	evaluation_id: string;
	reference: string;
	kind: FindingKind;
	grade: NonconformityGrade | null;
	clause_id: string | null;
	statement: string;
	objective_evidence: ColumnType<string, string | undefined, string>;
	raised_by: string;
	raised_on: DateOnly;
	due_on: DateOnly | null;
	status: ColumnType<FindingStatus, FindingStatus | undefined, FindingStatus>;
	follow_up_check_on: DateOnly | null;
	closed_at: Date | null;
	version: Generated<number>;
	created_at: CreatedAt;
	updated_at: Generated<Date>;
}

export interface FindingDueChangesTable {
	tenant_id: string;
	id: Generated<string>;
	finding_id: string;
	from_due_on: DateOnly | null;
	to_due_on: DateOnly;
	reason: string;
	changed_by: string;
	changed_at: CreatedAt;
}

export interface ResponsesTable {
	tenant_id: string;
	id: Generated<string>;
	finding_id: string;
	correction: string;
	root_cause: string;
	corrective_action: string;
	action_owner: string;
	target_on: DateOnly;
	submitted_by: string;
	submitted_at: CreatedAt;
	review_status: ColumnType<
		'pending' | 'accepted' | 'rejected',
		'pending' | 'accepted' | 'rejected' | undefined
	>;
	reviewed_by: string | null;
	reviewed_at: Date | null;
	review_comment: string | null;
}

export interface EvidenceSubmissionsTable {
	tenant_id: string;
	id: Generated<string>;
	finding_id: string;
	response_id: string | null;
	note: ColumnType<string, string | undefined, string>;
	submitted_by: string;
	submitted_at: CreatedAt;
	verdict: 'effective' | 'not_effective' | null;
	verdict_by: string | null;
	verdict_at: Date | null;
	verdict_comment: string | null;
}

export interface EvidenceTable {
	tenant_id: string;
	id: Generated<string>;
	finding_id: string | null;
	submission_id: string | null;
	sha256: string;
	size_bytes: ColumnType<string, number | bigint | string, never>;
	declared_type: ColumnType<string, string | undefined, string>;
	detected_type: string;
	original_name: string;
	note: ColumnType<string, string | undefined, string>;
	uploaded_by: string;
	uploaded_at: CreatedAt;
	effective_from: DateOnly;
	supersedes_id: string | null;
	integrity_status: ColumnType<
		'pending' | 'verified' | 'rejected',
		'pending' | 'verified' | 'rejected' | undefined
	>;
	duplicate_of_id: string | null;
}

export type ComplaintStatus =
	'received' | 'acknowledged' | 'investigating' | 'resolved' | 'rejected';

export interface ComplaintsTable {
	tenant_id: string;
	id: Generated<string>;
	/** Public: with the complainant's email it opens the status page (`C-` and eight characters). */
	reference: string;
	certificate_id: string | null;
	organisation_id: string | null;
	complainant_name: string;
	complainant_email: string;
	complainant_phone: ColumnType<string, string | undefined, string>;
	/** The complainant's language: their acknowledgement and status page speak it. */
	locale: ColumnType<Locale, Locale | undefined, Locale>;
	body: string;
	status: ColumnType<ComplaintStatus, ComplaintStatus | undefined>;
	evaluation_id: string | null;
	triage_note: string | null;
	received_at: CreatedAt;
	acknowledged_at: Date | null;
	investigating_at: Date | null;
	closed_at: Date | null;
	version: Generated<number>;
}

/** A file a complainant attached (issue 13 item 4): bytes in the evidence store, by hash. */
export interface ComplaintFilesTable {
	tenant_id: string;
	id: Generated<string>;
	complaint_id: string;
	sha256: string;
	size_bytes: ColumnType<string, number | bigint | string, never>;
	/** Sniffed from the bytes (evidence/sniff.ts), never the browser's word. */
	detected_type: string;
	/** Sanitised (evidence/filename.ts). */
	original_name: string;
	uploaded_at: CreatedAt;
}

export interface DecisionsTable {
	tenant_id: string;
	id: Generated<string>;
	evaluation_id: string | null;
	certificate_id: string;
	kind: DecisionKind;
	reason: string;
	new_grade_level_id: string | null;
	new_scope: string | null;
	decided_by: string;
	decided_on: DateOnly;
	decided_at: CreatedAt;
}

export interface RecurringObligationsTable {
	tenant_id: string;
	id: Generated<string>;
	organisation_id: string;
	certificate_id: string | null;
	title_zh: string;
	title_en: ColumnType<string, string | undefined, string>;
	cadence: 'weekly' | 'monthly' | 'quarterly';
	due_day: number;
	starts_on: DateOnly;
	active: Generated<boolean>;
	created_at: CreatedAt;
}

export interface ObligationDueItemsTable {
	tenant_id: string;
	id: Generated<string>;
	obligation_id: string;
	period_start: DateOnly;
	period_end: DateOnly;
	due_on: DateOnly;
	status: ColumnType<
		'pending' | 'submitted' | 'accepted' | 'rejected',
		'pending' | 'submitted' | 'accepted' | 'rejected' | undefined
	>;
	submission_id: string | null;
	submitted_at: Date | null;
	reviewed_by: string | null;
	reviewed_at: Date | null;
	review_comment: string | null;
	/** The finding this late or missing item was raised as. */
	raised_finding_id: string | null;
}

export interface OutboxTable {
	tenant_id: string;
	id: Generated<string>;
	dedupe_key: string;
	template: string;
	to_email: string;
	locale: Locale;
	subject: string;
	/** Rendered bodies: rows written before migration 2026-12-02-10; newer rows hold `params`. */
	text_body: string | null;
	html_body: string | null;
	status: ColumnType<OutboxStatus, OutboxStatus | undefined, OutboxStatus>;
	attempts: Generated<number>;
	next_attempt_at: Generated<Date>;
	last_error: string | null;
	created_at: CreatedAt;
	sent_at: Date | null;
}

export interface AuditLogTable {
	tenant_id: string;
	/** Set by the chaining trigger. */
	seq: ColumnType<string, never, never>;
	id: Generated<string>;
	actor_user_id: string | null;
	action: string;
	entity_type: string;
	entity_id: string;
	before: Json;
	after: Json;
	/** Given or not, the chaining trigger decides (between the previous entry and now). */
	created_at: ColumnType<Date, Date | undefined, never>;
	prev_hash: ColumnType<string, never, never>;
	hash: ColumnType<string, never, never>;
}

export interface AuditChainHeadsTable {
	tenant_id: string;
	seq: string;
	hash: string;
}

export interface Database {
	tenants: TenantsTable;
	users: UsersTable;
	sessions: SessionsTable;
	organisations: OrganisationsTable;
	contacts: ContactsTable;
	memberships: MembershipsTable;
	membership_invitations: MembershipInvitationsTable;
	grade_scales: GradeScalesTable;
	grade_levels: GradeLevelsTable;
	standards: StandardsTable;
	clauses: ClausesTable;
	scheme_rules: SchemeRulesTable;
	certificates: CertificatesTable;
	certificate_history: CertificateHistoryTable;
	evaluations: EvaluationsTable;
	evaluation_team_members: EvaluationTeamMembersTable;
	findings: FindingsTable;
	finding_due_changes: FindingDueChangesTable;
	responses: ResponsesTable;
	evidence_submissions: EvidenceSubmissionsTable;
	evidence: EvidenceTable;
	complaints: ComplaintsTable;
	complaint_files: ComplaintFilesTable;
	decisions: DecisionsTable;
	recurring_obligations: RecurringObligationsTable;
	obligation_due_items: ObligationDueItemsTable;
	outbox: OutboxTable;
	audit_log: AuditLogTable;
	audit_chain_heads: AuditChainHeadsTable;
}

export type Tenant = Selectable<TenantsTable>;
export type User = Selectable<UsersTable>;
export type Membership = Selectable<MembershipsTable>;
export type Organisation = Selectable<OrganisationsTable>;
export type NewOrganisation = Insertable<OrganisationsTable>;
export type OrganisationUpdate = Updateable<OrganisationsTable>;
export type Certificate = Selectable<CertificatesTable>;

/* ---- The chase (migration 2026-12-02-01-chase): new tables, and columns merged into the tables above. ---- */

export type ReminderSubjectKind = 'finding' | 'certificate' | 'surveillance' | 'obligation_item';
export type OutboxStatus = 'pending' | 'sent' | 'failed' | 'held' | 'digested';
export type MailMode = 'immediate' | 'digest';

/** One fired stage of a clock; the unique (tenant, subject, stage, due date) makes it fire once. */
export interface RemindersTable {
	tenant_id: string;
	id: Generated<string>;
	subject_kind: ReminderSubjectKind;
	subject_id: string;
	stage: string;
	due_on: DateOnly;
	fired_on: DateOnly;
	fired_at: CreatedAt;
}

/** A person's in-app notification: the same message as the email, in their language. */
export interface NotificationsTable {
	tenant_id: string;
	id: Generated<string>;
	user_id: string;
	template: string;
	title: string;
	body: string;
	link: string;
	dedupe_key: string;
	created_at: CreatedAt;
	read_at: Date | null;
}

export interface OutboxTable {
	/** Until when a worker holds the row while it sends (claimed, committed, sent outside). */
	leased_until: Date | null;
	recipient_user_id: string | null;
	/** The exact page the message is about (absolute URL). */
	link: ColumnType<string, string | undefined, string>;
	/** The Message-ID header, stable per row: a resend after a crash carries the same one. */
	message_id: string | null;
	/**
	 * What the message says, frozen in the cause's transaction (mail/outbox.ts `StoredParams`):
	 * the delivery renders the text and HTML from it (migration 2026-12-02-10-outbox-params).
	 */
	params: Json;
}

export interface UsersTable {
	/** Immediate emails, or one daily digest. */
	mail_mode: ColumnType<MailMode, MailMode | undefined, MailMode>;
}

export interface CertificatesTable {
	/** Set by the chase when a major nonconformity is overdue: the date by which to suspend. */
	suspension_due_by: DateOnly | null;
	/** Set by the chase when a suspension outlasts max_suspension_months. */
	withdrawal_proposed_on: DateOnly | null;
}

export interface FindingsTable {
	/** The follow-up effectiveness check fell due on this day: a verification task is open again. */
	verification_reopened_on: DateOnly | null;
	/** An overdue minor was raised to major by the scheme rule on this day. */
	regraded_by_rule_on: DateOnly | null;
}

export interface EvidenceTable {
	/** An obligation's due item, when the file fulfils one (exactly one of this and finding_id). */
	obligation_due_item_id: string | null;
	integrity_checked_at: Date | null;
	/** What the verification job found: 'ok', 'hash_mismatch', 'size_mismatch', 'type_mismatch', 'missing'. */
	integrity_detail: string | null;
	/** The reviewer's verdict on this one file (2026-12-03-10); the submission has its own. */
	review_verdict: 'accepted' | 'rejected' | null;
	review_note: string | null;
	reviewed_by: string | null;
	reviewed_at: Date | null;
	/** Taken back by the organisation before submitting: left out of every list. */
	removed_at: Date | null;
	removed_by: string | null;
}

export interface Database {
	reminders: RemindersTable;
	notifications: NotificationsTable;
}

/* ---- Calendar feeds (migration 2026-12-03-14-calendar-feeds). ---- */

/** A person's secret iCalendar URL: only the SHA-256 of its token is kept. */
export interface CalendarFeedsTable {
	tenant_id: string;
	id: Generated<string>;
	user_id: string;
	token_hash: Uint8Array;
	created_at: CreatedAt;
	revoked_at: Date | null;
}

export interface Database {
	calendar_feeds: CalendarFeedsTable;
}

/* ---- Printable documents (migration 2026-12-04-07-documents). ---- */

export type DocumentKind = 'certificate' | 'evaluation_report' | 'nonconformity_report';

/** One generated PDF: what it shows, the SHA-256 of its bytes and the code printed on it. */
export interface DocumentsTable {
	tenant_id: string;
	id: Generated<string>;
	kind: DocumentKind;
	certificate_id: string | null;
	evaluation_id: string | null;
	finding_id: string | null;
	sha256: Uint8Array;
	/** `XXXX-XXXX-XXXX` (digits and capitals): what a reader types into /verify. */
	code: string;
	generated_at: ColumnType<Date, Date | undefined, never>;
	generated_by: string | null;
	locale: Locale;
}

export interface Database {
	documents: DocumentsTable;
}

/* ---- Certificate grant (migration 2026-12-04-02-certificate-grant). ---- */

/** How a certificate came into CertTrack: a grant decision here, or recorded from earlier. */
export type CertificateOrigin = 'granted' | 'imported' | 'transferred';

export type CertificateHistoryChange =
	| 'issued'
	| 'status'
	| 'grade'
	| 'scope'
	| 'expired'
	| 'renewed'
	| 'imported'
	| 'transferred'
	/** A line of its history at the body it was transferred from (migration 2026-12-07-03). */
	| 'previous_body';

export interface CertificatesTable {
	origin: ColumnType<CertificateOrigin, CertificateOrigin | undefined, CertificateOrigin>;
	/** A transferred certificate: the body that issued it, and its number there. */
	previous_body_name: string | null;
	previous_number: string | null;
}

/** The last number a grant took under one rendered prefix of the body's pattern. */
export interface CertificateNumberCountersTable {
	tenant_id: string;
	prefix: string;
	last_seq: number;
}

export interface Database {
	certificate_number_counters: CertificateNumberCountersTable;
}

/* ---- Renewal and structured scope (migration 2026-12-04-03-certificate-renewal). ---- */

/** What a certificate's scope covers, item by item (src/lib/server/domain/certificate-scope.ts). */
export type ScopeItemKind = 'site' | 'service_outlet' | 'product_line';
export interface ScopeItem {
	id: string;
	kind: ScopeItemKind;
	name: string;
	/** A site's or outlet's address ('' when none). */
	address: string;
}
/** A JSON array of scope items: read as parsed JSON, written as its text. */
type ScopeItems = ColumnType<ScopeItem[], string | undefined, string>;
type ScopeItemsOrNull = ColumnType<ScopeItem[] | null, string | null | undefined, string | null>;

export interface CertificatesTable {
	/** The sites, service outlets and product lines covered; `scope` stays the display text. */
	scope_items: ScopeItems;
}

export interface DecisionsTable {
	/** An extension or reduction of scope: the items it left the certificate with. */
	new_scope_items: ScopeItemsOrNull;
	/** A renewal: the certificate's new last valid day. */
	new_expires_on: DateOnly | null;
}

export interface CertificateHistoryTable {
	/** A renewal: the expiry before and after. */
	from_expires_on: DateOnly | null;
	to_expires_on: DateOnly | null;
	/** A change of structured scope: the items before and after. */
	from_scope_items: ScopeItemsOrNull;
	to_scope_items: ScopeItemsOrNull;
}

/* ---- People (migration 2026-12-04-06-people). ---- */

export interface MembershipsTable {
	/** Deactivated in this body: cannot act in it; shown greyed on the people page. */
	deactivated_at: Date | null;
	deactivated_by: string | null;
}

/**
 * A password reset link's token, only its SHA-256; reached by the app role through SECURITY
 * DEFINER functions alone (the owner reads it in tests).
 */
export interface PasswordResetTokensTable {
	token_hash: Uint8Array;
	user_id: string;
	created_at: CreatedAt;
	expires_at: Timestamp;
	used_at: Date | null;
}

export interface Database {
	password_reset_tokens: PasswordResetTokensTable;
}

/* ---- The organisation's service system (migration 2026-12-04-05-service-system). ---- */

export type CommitmentKind = 'service_commitment' | 'work_order_rule';
export type CommitmentLimitUnit = 'minutes' | 'hours' | 'days';
export type ObjectiveDirection = 'at_least' | 'at_most';
export type ObjectivePeriod = 'monthly' | 'quarterly' | 'yearly';
export type OutletScope =
	'minor_repair' | 'maintenance' | 'spare_parts' | 'installation' | 'home_visit';

/** A service commitment or work-order rule, with the limit an evaluator can check (4 hours). */
export interface ServiceCommitmentsTable {
	tenant_id: string;
	id: Generated<string>;
	organisation_id: string;
	kind: CommitmentKind;
	text_zh: string;
	text_en: ColumnType<string, string | undefined, string>;
	/** numeric(10, 2), read as a string. */
	limit_value: string | null;
	limit_unit: CommitmentLimitUnit | null;
	status: ColumnType<
		'active' | 'withdrawn',
		'active' | 'withdrawn' | undefined,
		'active' | 'withdrawn'
	>;
	version: Generated<number>;
	created_at: CreatedAt;
	updated_at: Timestamp;
}

/** A quantified objective; approved_by/on is the organisation's management's approval of this version. */
export interface ServiceObjectivesTable {
	tenant_id: string;
	id: Generated<string>;
	organisation_id: string;
	title_zh: string;
	title_en: ColumnType<string, string | undefined, string>;
	metric_zh: string;
	metric_en: ColumnType<string, string | undefined, string>;
	/** numeric(14, 4), read as a string. */
	target_value: ColumnType<string, string | number, string | number>;
	unit: string;
	direction: ObjectiveDirection;
	owner: string;
	period: ObjectivePeriod;
	active: Generated<boolean>;
	approved_by: string | null;
	approved_on: DateOnly | null;
	version: Generated<number>;
	created_at: CreatedAt;
	updated_at: Timestamp;
}

/** A superseded version of an objective, as it stood, and why it changed. */
export interface ServiceObjectiveVersionsTable {
	tenant_id: string;
	objective_id: string;
	/** The version this row keeps, replaced by the next. */
	superseded_version: number;
	content: Json;
	change_reason: string;
	changed_by: string;
	changed_at: CreatedAt;
}

export interface ServiceObjectiveMeasurementsTable {
	tenant_id: string;
	id: Generated<string>;
	objective_id: string;
	period_start: DateOnly;
	period_end: DateOnly;
	value: ColumnType<string, string | number, string | number>;
	target_value: ColumnType<string, string | number, string | number>;
	direction: ObjectiveDirection;
	objective_version: number;
	note: ColumnType<string, string | undefined, string>;
	recorded_by: string;
	recorded_at: CreatedAt;
}

/** A service outlet (网点). */
export interface ServiceOutletsTable {
	tenant_id: string;
	id: Generated<string>;
	organisation_id: string;
	name: string;
	address: string;
	scope: OutletScope[];
	publicly_listed: ColumnType<boolean, boolean | undefined, boolean>;
	operator: string;
	contact_phone: ColumnType<string, string | undefined, string>;
	active: ColumnType<boolean, boolean | undefined, boolean>;
	version: Generated<number>;
	created_at: CreatedAt;
	updated_at: Timestamp;
}

export interface FindingsTable {
	/** The commitment the finding is about (the evaluated organisation's own). */
	commitment_id: string | null;
	/** The service outlet the finding is about (the evaluated organisation's own). */
	outlet_id: string | null;
}

export interface Database {
	service_commitments: ServiceCommitmentsTable;
	service_objectives: ServiceObjectivesTable;
	service_objective_versions: ServiceObjectiveVersionsTable;
	service_objective_measurements: ServiceObjectiveMeasurementsTable;
	service_outlets: ServiceOutletsTable;
}

/* ---- Scoring and grades (migration 2026-12-04-04-evaluation-scores). ---- */

export type MajorCapCounts = 'any' | 'open';

export interface ClausesTable {
	/** The points (分值) the clause is scored out of; null: not on the scoring sheet. */
	score_points: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface SchemeRulesTable {
	/** A major nonconformity caps the grade at this level; null: no cap. */
	major_cap_level_id: ColumnType<string | null, string | null | undefined, string | null>;
	/** Which majors cap: any raised in the evaluation, or only those not closed. */
	major_cap_counts: ColumnType<MajorCapCounts, MajorCapCounts | undefined, MajorCapCounts>;
}

/** The score an evaluation gave one clause of its standard's scoring sheet. */
export interface EvaluationScoresTable {
	tenant_id: string;
	evaluation_id: string;
	clause_id: string;
	/** numeric(6, 2): pg returns it as text. */
	score: ColumnType<string, string | number, string | number>;
	scored_by: string;
	scored_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface Database {
	evaluation_scores: EvaluationScoresTable;
}

/* ---- History at the earlier body (migration 2026-12-07-03-previous-body-history). ---- */

/** What happened to a transferred certificate at the body that held it before. */
export type PreviousBodyEvent =
	| 'issued'
	| 'surveillance'
	| 'renewed'
	| 'scope_extended'
	| 'scope_reduced'
	| 'suspended'
	| 'restored';

export interface CertificateHistoryTable {
	/** Set exactly on a `previous_body` line: what happened there. */
	previous_body_event: PreviousBodyEvent | null;
	previous_body_note: string | null;
	/** The line's place in that history (two lines may share a day). */
	previous_body_position: number | null;
}
