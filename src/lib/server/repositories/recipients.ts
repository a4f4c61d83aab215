import type { Tx } from '../db/tenant-scope';
import type { Locale, MailMode, Role } from '../../../../db/schema';

/** Someone a message goes to, as the mail layer needs them: address, language, digest choice. */
export interface RecipientRow {
	email: string;
	name: string;
	/** Null for a contact (no account). */
	userId: string | null;
	locale: Locale | null;
	mailMode: MailMode;
}

export function findTenantForMail(tx: Tx, tenantId: string) {
	return tx
		.selectFrom('tenants')
		.select(['id', 'name', 'default_locale', 'time_zone'])
		.where('id', '=', tenantId)
		.executeTakeFirstOrThrow();
}

/** The display name the body's emails are sent under ('' = the installation's MAIL_FROM name). */
export async function findMailSenderName(tx: Tx, tenantId: string): Promise<string> {
	const row = await tx
		.selectFrom('tenants')
		.select('mail_sender_name')
		.where('id', '=', tenantId)
		.executeTakeFirst();
	return row?.mail_sender_name ?? '';
}

/** The body's logo for its emails (issue 12 item 8), or null when it has none. */
export async function findMailLogo(
	tx: Tx,
	tenantId: string
): Promise<{ bytes: Buffer; type: 'image/png' | 'image/jpeg' } | null> {
	const row = await tx
		.selectFrom('tenants')
		.select(['logo', 'logo_type'])
		.where('id', '=', tenantId)
		.executeTakeFirst();
	if (!row?.logo || !row.logo_type || row.logo.length === 0) return null;
	return { bytes: Buffer.from(row.logo), type: row.logo_type };
}

type UserRow = {
	id: string;
	email: string;
	name: string;
	locale: Locale | null;
	mail_mode: MailMode;
};
type ContactRow = { email: string; name: string; locale: Locale | null };

const USER_COLUMNS = [
	'users.id',
	'users.email',
	'users.name',
	'users.locale',
	'users.mail_mode'
] as const;

function userRecipient({ id, email, name, locale, mail_mode }: UserRow): RecipientRow {
	return { email, name, userId: id, locale, mailMode: mail_mode };
}

/** Contacts have no account: no notification list, no digest — every message goes at once. */
function contactRecipient({ email, name, locale }: ContactRow): RecipientRow {
	return { email, name, userId: null, locale, mailMode: 'immediate' };
}

export async function usersAsRecipients(tx: Tx, userIds: string[]): Promise<RecipientRow[]> {
	if (userIds.length === 0) return [];
	const rows = await tx
		.selectFrom('users')
		.select(USER_COLUMNS)
		.where('id', 'in', userIds)
		.execute();
	return rows.map(userRecipient);
}

export async function contactsAsRecipients(tx: Tx, contactIds: string[]): Promise<RecipientRow[]> {
	if (contactIds.length === 0) return [];
	const rows = await tx
		.selectFrom('contacts')
		.select(['email', 'name', 'locale'])
		.where('id', 'in', contactIds)
		.execute();
	return rows.map(contactRecipient);
}

/** The organisation's contacts with reminders on. */
export async function reminderContacts(tx: Tx, organisationId: string): Promise<RecipientRow[]> {
	const rows = await tx
		.selectFrom('contacts')
		.select(['email', 'name', 'locale'])
		.where('organisation_id', '=', organisationId)
		.where('receives_reminders', '=', true)
		.orderBy('email')
		.execute();
	return rows.map(contactRecipient);
}

/** The organisation's users; only those holding one of `roles` when given (from rolesFor). */
export async function organisationUsers(
	tx: Tx,
	organisationId: string,
	roles?: readonly Role[]
): Promise<RecipientRow[]> {
	if (roles?.length === 0) return [];
	let query = tx
		.selectFrom('memberships')
		.innerJoin('users', 'users.id', 'memberships.user_id')
		.select(USER_COLUMNS)
		.where('memberships.organisation_id', '=', organisationId)
		// A deactivated member (issue 12 item 7) hears nothing more from the body.
		.where('memberships.deactivated_at', 'is', null);
	if (roles) query = query.where('memberships.role', 'in', [...roles]);
	const rows = await query.orderBy('users.email').execute();
	return rows.map(userRecipient);
}

/** The organisation's contacts with reminders on, and its users (SPEC §4 "who hears"). */
export async function organisationRecipients(
	tx: Tx,
	organisationId: string
): Promise<RecipientRow[]> {
	return [
		...(await reminderContacts(tx, organisationId)),
		...(await organisationUsers(tx, organisationId))
	];
}

/** The tenant's people holding one of `roles` (from permissions' rolesFor, never a literal). */
export async function usersWithRoles(tx: Tx, roles: readonly Role[]): Promise<RecipientRow[]> {
	if (roles.length === 0) return [];
	const rows = await tx
		.selectFrom('memberships')
		.innerJoin('users', 'users.id', 'memberships.user_id')
		.select(USER_COLUMNS)
		.where('memberships.role', 'in', [...roles])
		.where('memberships.deactivated_at', 'is', null)
		.orderBy('users.email')
		.execute();
	return rows.map(userRecipient);
}

/** The lead evaluator(s) of an evaluation's team. */
export async function leadEvaluators(tx: Tx, evaluationId: string): Promise<RecipientRow[]> {
	const rows = await tx
		.selectFrom('evaluation_team_members')
		.innerJoin('users', 'users.id', 'evaluation_team_members.user_id')
		.select(USER_COLUMNS)
		.where('evaluation_team_members.evaluation_id', '=', evaluationId)
		.where('evaluation_team_members.team_role', '=', 'lead')
		.orderBy('users.email')
		.execute();
	return rows.map(userRecipient);
}
