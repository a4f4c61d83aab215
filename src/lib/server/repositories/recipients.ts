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

export async function usersAsRecipients(tx: Tx, userIds: string[]): Promise<RecipientRow[]> {
	if (userIds.length === 0) return [];
	const rows = await tx
		.selectFrom('users')
		.select(['id', 'email', 'name', 'locale', 'mail_mode'])
		.where('id', 'in', userIds)
		.execute();
	return rows.map((row) => ({
		email: row.email,
		name: row.name,
		userId: row.id,
		locale: row.locale,
		mailMode: row.mail_mode
	}));
}

export async function contactsAsRecipients(tx: Tx, contactIds: string[]): Promise<RecipientRow[]> {
	if (contactIds.length === 0) return [];
	const rows = await tx
		.selectFrom('contacts')
		.select(['email', 'name', 'locale'])
		.where('id', 'in', contactIds)
		.execute();
	return rows.map((row) => ({
		email: row.email,
		name: row.name,
		userId: null,
		locale: row.locale,
		mailMode: 'immediate' as const
	}));
}

/** The organisation's contacts with reminders on, and its users (SPEC §4 "who hears"). */
export async function organisationRecipients(
	tx: Tx,
	organisationId: string
): Promise<RecipientRow[]> {
	const contacts = await tx
		.selectFrom('contacts')
		.select(['email', 'name', 'locale'])
		.where('organisation_id', '=', organisationId)
		.where('receives_reminders', '=', true)
		.execute();
	const users = await tx
		.selectFrom('memberships')
		.innerJoin('users', 'users.id', 'memberships.user_id')
		.select(['users.id', 'users.email', 'users.name', 'users.locale', 'users.mail_mode'])
		.where('memberships.organisation_id', '=', organisationId)
		.execute();
	return [
		...contacts.map((row) => ({
			email: row.email,
			name: row.name,
			userId: null,
			locale: row.locale,
			mailMode: 'immediate' as const
		})),
		...users.map((row) => ({
			email: row.email,
			name: row.name,
			userId: row.id,
			locale: row.locale,
			mailMode: row.mail_mode
		}))
	];
}

/** The tenant's people holding one of `roles` (from permissions' rolesFor, never a literal). */
export async function usersWithRoles(tx: Tx, roles: readonly Role[]): Promise<RecipientRow[]> {
	if (roles.length === 0) return [];
	const rows = await tx
		.selectFrom('memberships')
		.innerJoin('users', 'users.id', 'memberships.user_id')
		.select(['users.id', 'users.email', 'users.name', 'users.locale', 'users.mail_mode'])
		.where('memberships.role', 'in', [...roles])
		.orderBy('users.email')
		.execute();
	return rows.map((row) => ({
		email: row.email,
		name: row.name,
		userId: row.id,
		locale: row.locale,
		mailMode: row.mail_mode
	}));
}
