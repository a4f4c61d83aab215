import type { Tx } from '../db/tenant-scope';
import type { Role } from '../../../../db/schema';
import type { RecipientRow } from './recipients';
import { tenantJoin } from './tenant-join';

/* What the event messages (SPEC §4) read about their recipients and subjects. */

export async function organisationName(tx: Tx, organisationId: string): Promise<string> {
	const row = await tx
		.selectFrom('organisations')
		.select('legal_name')
		.where('id', '=', organisationId)
		.executeTakeFirstOrThrow();
	return row.legal_name;
}

/** The organisation's users holding one of `roles` (from permissions' rolesFor). */
export async function organisationUsersWithRoles(
	tx: Tx,
	organisationId: string,
	roles: readonly Role[]
): Promise<RecipientRow[]> {
	if (roles.length === 0) return [];
	const rows = await tx
		.selectFrom('memberships')
		.innerJoin('users', 'users.id', 'memberships.user_id')
		.select(['users.id', 'users.email', 'users.name', 'users.locale', 'users.mail_mode'])
		.where('memberships.organisation_id', '=', organisationId)
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

/** The organisation's contacts with reminders on. */
export async function reminderContacts(tx: Tx, organisationId: string): Promise<RecipientRow[]> {
	const rows = await tx
		.selectFrom('contacts')
		.select(['email', 'name', 'locale'])
		.where('organisation_id', '=', organisationId)
		.where('receives_reminders', '=', true)
		.orderBy('email')
		.execute();
	return rows.map((row) => ({
		email: row.email,
		name: row.name,
		userId: null,
		locale: row.locale,
		mailMode: 'immediate' as const
	}));
}

/** The lead evaluator(s) of an evaluation's team. */
export async function leadEvaluators(tx: Tx, evaluationId: string): Promise<RecipientRow[]> {
	const rows = await tx
		.selectFrom('evaluation_team_members')
		.innerJoin('users', 'users.id', 'evaluation_team_members.user_id')
		.select(['users.id', 'users.email', 'users.name', 'users.locale', 'users.mail_mode'])
		.where('evaluation_team_members.evaluation_id', '=', evaluationId)
		.where('evaluation_team_members.team_role', '=', 'lead')
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

/** How many open nonconformities an evaluation raised, and the earliest due date among them. */
export async function openNonconformitySummary(
	tx: Tx,
	evaluationId: string
): Promise<{ count: number; firstDueOn: string | null }> {
	const rows = await tx
		.selectFrom('findings')
		.select('due_on')
		.where('evaluation_id', '=', evaluationId)
		.where('kind', '=', 'nonconformity')
		.where('status', '!=', 'closed')
		.execute();
	const dates = rows.flatMap((row) => (row.due_on ? [row.due_on] : [])).sort();
	return { count: rows.length, firstDueOn: dates[0] ?? null };
}

/** The certificate's number and organisation. */
export function certificateForMessage(tx: Tx, certificateId: string) {
	return tx
		.selectFrom('certificates')
		.innerJoin('organisations', tenantJoin('organisations', 'certificates.organisation_id'))
		.select([
			'certificates.number',
			'certificates.organisation_id',
			'organisations.legal_name as organisation_name'
		])
		.where('certificates.id', '=', certificateId)
		.executeTakeFirstOrThrow();
}
