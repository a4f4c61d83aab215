import type { Tx } from '../db/tenant-scope';
import { tenantJoin } from './tenant-join';
import { membersWithUsers, MEMBER_COLUMNS } from './joins';
import { countOf } from './query';
import type { Role } from '../../../../db/schema';

/**
 * The signed-in person's memberships in every tenant, with the tenant's name. Runs in the
 * person scope (no tenant chosen), where RLS shows a person their own memberships only.
 */
export function listOwnMemberships(tx: Tx, userId: string) {
	return membershipsOf(tx, userId)
		.select([
			'memberships.tenant_id',
			'memberships.role',
			'tenants.slug',
			'tenants.name as tenant_name',
			'tenants.default_locale'
		])
		.orderBy('tenants.name')
		.execute();
}

/**
 * The person's active memberships with their tenant: in person scope every one, in a tenant that
 * one. A deactivated membership (issue 12 item 7) is left out: it signs in to nothing, is not
 * offered for switching and resolves no actor, so its next request is signed out of the body.
 */
function membershipsOf(tx: Tx, userId: string) {
	return tx
		.selectFrom('memberships')
		.innerJoin('tenants', 'tenants.id', 'memberships.tenant_id')
		.where('memberships.user_id', '=', userId)
		.where('memberships.deactivated_at', 'is', null);
}

/** How many bodies the person belongs to (person scope), to offer switching only when it means something. */
export function countOwnMemberships(tx: Tx, userId: string): Promise<number> {
	return countOf(
		tx.selectFrom('memberships').where('user_id', '=', userId).where('deactivated_at', 'is', null)
	);
}

/**
 * The body a person's password email comes from and its changes are audited in (person scope):
 * the first they joined that still has them, else the first whose invitation is open. Null: none.
 */
export async function findHomeTenant(tx: Tx, userId: string): Promise<string | null> {
	const member = await tx
		.selectFrom('memberships')
		.select('tenant_id')
		.where('user_id', '=', userId)
		.where('deactivated_at', 'is', null)
		.orderBy('created_at')
		.orderBy('tenant_id')
		.executeTakeFirst();
	if (member) return member.tenant_id;
	const invited = await openInvitations(tx)
		.select('tenant_id')
		.where('user_id', '=', userId)
		.orderBy('created_at')
		.executeTakeFirst();
	return invited?.tenant_id ?? null;
}

/** The acting membership in the current tenant, with everything a request needs to know. */
export function findActingMembership(tx: Tx, userId: string) {
	return membershipsOf(tx, userId)
		.leftJoin('organisations', tenantJoin('organisations', 'memberships.organisation_id'))
		.select([
			'memberships.id as membership_id',
			'memberships.tenant_id',
			'memberships.role',
			'memberships.organisation_id',
			'organisations.legal_name as organisation_name',
			'tenants.slug as tenant_slug',
			'tenants.name as tenant_name',
			'tenants.default_locale as tenant_locale',
			'tenants.time_zone as tenant_time_zone'
		])
		.executeTakeFirst();
}

export function listMembers(tx: Tx) {
	return membersWithUsers(tx)
		.leftJoin('organisations', tenantJoin('organisations', 'memberships.organisation_id'))
		.select([
			...MEMBER_COLUMNS,
			'memberships.organisation_id',
			'memberships.deactivated_at',
			'organisations.legal_name as organisation_name'
		])
		.orderBy('users.name')
		.execute();
}

export function findMembershipOfUser(tx: Tx, userId: string) {
	return tx.selectFrom('memberships').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

/** One membership of the tenant by its id, with the person's name and address (tenant scope). */
export function findMember(tx: Tx, membershipId: string) {
	return membersWithUsers(tx)
		.select([
			...MEMBER_COLUMNS,
			'memberships.organisation_id',
			'memberships.deactivated_at',
			'users.locale'
		])
		.where('memberships.id', '=', membershipId)
		.executeTakeFirst();
}

/** Deactivates (`at`) or reactivates (null) a membership; false when it was already so. */
export async function setMembershipDeactivated(
	tx: Tx,
	membershipId: string,
	change: { at: Date; by: string } | null
): Promise<boolean> {
	const result = await tx
		.updateTable('memberships')
		.set(
			change
				? { deactivated_at: change.at, deactivated_by: change.by }
				: { deactivated_at: null, deactivated_by: null }
		)
		.where('id', '=', membershipId)
		.where('deactivated_at', change ? 'is' : 'is not', null)
		.executeTakeFirst();
	return Number(result.numUpdatedRows) === 1;
}

export async function setMembershipRole(
	tx: Tx,
	membershipId: string,
	role: Role,
	organisationId: string | null
) {
	await tx
		.updateTable('memberships')
		.set({ role, organisation_id: organisationId })
		.where('id', '=', membershipId)
		.execute();
}

export function insertMembership(
	tx: Tx,
	membership: {
		tenantId: string;
		userId: string;
		role: Role;
		organisationId: string | null;
		createdAt?: Date;
	}
) {
	return tx
		.insertInto('memberships')
		.values({
			tenant_id: membership.tenantId,
			created_at: membership.createdAt,
			user_id: membership.userId,
			role: membership.role,
			organisation_id: membership.organisationId
		})
		.returningAll()
		.executeTakeFirstOrThrow();
}

// ---------------------------------------------------------------------------------------------
// Invitations (issue 8 §16): a membership offered, to be accepted by the person.

export interface NewInvitation {
	tenantId: string;
	email: string;
	userId: string | null;
	role: Role;
	organisationId: string | null;
	/** When it was sent, if not now (the demo's past). */
	createdAt?: Date;
	invitedBy: string;
}

/** Invitations not answered yet: the only ones anything reads (tenant or person scope). */
function openInvitations(tx: Tx) {
	return tx.selectFrom('membership_invitations').where('membership_invitations.answer', 'is', null);
}

/** One open invitation of the tenant by id (tenant scope). */
export function findOpenInvitation(tx: Tx, id: string) {
	return openInvitations(tx).selectAll().where('id', '=', id).executeTakeFirst();
}

/** The tenant's open invitation for an address (tenant scope). */
export function findOpenInvitationByEmail(tx: Tx, email: string) {
	return openInvitations(tx)
		.selectAll()
		.where((eb) => eb(eb.fn('lower', ['email']), '=', email.trim().toLowerCase()))
		.executeTakeFirst();
}

export function insertInvitation(tx: Tx, invitation: NewInvitation) {
	return tx
		.insertInto('membership_invitations')
		.values({
			tenant_id: invitation.tenantId,
			created_at: invitation.createdAt,
			email: invitation.email.trim(),
			user_id: invitation.userId,
			role: invitation.role,
			organisation_id: invitation.organisationId,
			invited_by: invitation.invitedBy
		})
		.returningAll()
		.executeTakeFirstOrThrow();
}

/** The tenant's open invitations, by the address the administrator typed (tenant scope). */
export function listOpenInvitations(tx: Tx) {
	return openInvitations(tx)
		.leftJoin(
			'organisations',
			tenantJoin('organisations', 'membership_invitations.organisation_id')
		)
		.select([
			'membership_invitations.id',
			'membership_invitations.email',
			'membership_invitations.role',
			'membership_invitations.organisation_id',
			'membership_invitations.created_at',
			'organisations.legal_name as organisation_name'
		])
		.orderBy('membership_invitations.created_at', 'desc')
		.execute();
}

/** The person's own open invitations with the inviting tenant's name (person scope). */
export function listOwnInvitations(tx: Tx, userId: string) {
	return openInvitations(tx)
		.innerJoin('tenants', 'tenants.id', 'membership_invitations.tenant_id')
		.select([
			'membership_invitations.id',
			'membership_invitations.tenant_id',
			'membership_invitations.role',
			'membership_invitations.created_at',
			'tenants.name as tenant_name'
		])
		.where('membership_invitations.user_id', '=', userId)
		.orderBy('membership_invitations.created_at')
		.execute();
}

/** One open invitation of the person, by id alone (person scope: RLS shows only their own). */
export function findOwnInvitation(tx: Tx, userId: string, id: string) {
	return openInvitations(tx)
		.selectAll()
		.where('id', '=', id)
		.where('user_id', '=', userId)
		.executeTakeFirst();
}

/** Records the answer once: false when the invitation was no longer open. */
export async function answerInvitation(
	tx: Tx,
	id: string,
	userId: string,
	answer: 'accepted' | 'declined',
	at: Date
): Promise<boolean> {
	const rows = await tx
		.updateTable('membership_invitations')
		.set({ answer, answered_at: at })
		.where('id', '=', id)
		.where('user_id', '=', userId)
		.where('answer', 'is', null)
		.returning('id')
		.execute();
	return rows.length > 0;
}
