import type { AppDatabase } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import type { Locale, Role } from '../../../../db/schema';
import { roleNeedsOrganisation } from '../domain/roles';
import { check, mayEver } from '../domain/permissions';
import { badInput, notFound, Refusal } from '../errors';
import { authorize } from './authorize';
import { hashPassword } from '../auth/password';
import { findUserByEmail, findUserById, insertUser } from '../repositories/users';
import { deleteMemberSessions } from '../repositories/sessions';
import {
	answerInvitation,
	findMember,
	findOpenInvitation,
	setMembershipDeactivated,
	setMembershipRole,
	findMembershipOfUser,
	findOpenInvitationByEmail,
	findOwnInvitation,
	insertInvitation,
	insertMembership,
	listMembers,
	listOpenInvitations,
	listOwnInvitations
} from '../repositories/memberships';
import { resolvedMessage, tenantMailContext, writeMessages } from '../mail/outbox';
import { findOrganisation } from '../repositories/organisations';
import { auditAs } from './audit-entry';
import { refuseUniqueViolations, violatedUniqueConstraint } from '../db/errors';
import type { Tx } from '../db/tenant-scope';
import { randomUUID } from 'node:crypto';

export interface AddMemberInput {
	email: string;
	/** Needed only when the email names nobody yet. */
	name?: string;
	/** The new person's initial password; an existing identity keeps theirs. */
	password?: string;
	role: Role;
	organisationId: string | null;
}

/** The body's people keepers see everyone; an organisation's admin their own organisation's. */
function peopleSeenBy<Row extends { organisation_id: string | null }>(actor: Actor, rows: Row[]) {
	if (mayEver(actor, 'people.readAll')) return rows;
	return rows.filter((row) => row.organisation_id && row.organisation_id === actor.organisationId);
}

export function listTenantMembers(db: AppDatabase, actor: Actor) {
	authorize(actor, 'people.manage');
	return db.inTenant(scopeOf(actor), async (tx) => peopleSeenBy(actor, await listMembers(tx)));
}

/**
 * Offers a person a role in the actor's tenant (issue 8 §16). Whoever the email names, the answer
 * is the same — an invitation, sent by email in this transaction — so it never tells whether the
 * address has an account here or in another body, and nobody sees the person's name before they
 * accept. An address with no account yet gets one, with the name and initial password given (a
 * person may work with several bodies; an existing identity keeps its own). The membership
 * exists once the person, signed in, accepts (acceptInvitation).
 */
/** `now`: when it happens (the demo loads its past); unset, the database's clock. */
export async function addMember(db: AppDatabase, actor: Actor, input: AddMemberInput, now?: Date) {
	const organisationId = roleNeedsOrganisation(input.role) ? input.organisationId : null;
	if (roleNeedsOrganisation(input.role) && !organisationId)
		throw badInput('organisationId', 'error_organisation_required');
	authorize(actor, 'people.grant', { role: input.role, organisationId });

	// Hashed whether or not it will be used: the answer takes as long for a known address.
	const passwordHash = input.password ? await hashPassword(input.password) : null;
	const email = input.email.trim();
	const alreadyMember = () => new Refusal('CONFLICT', 'error_already_member', { email }, 'email');
	return db
		.inTenant(scopeOf(actor), async (tx) => {
			if (organisationId && !(await findOrganisation(tx, organisationId)))
				throw badInput('organisationId', 'error_organisation_unknown');

			let user = await findUserByEmail(tx, email);
			// A member of this tenant is on the people list already: saying so reveals nothing.
			if (user && (await findMembershipOfUser(tx, user.id))) throw alreadyMember();
			const open = await findOpenInvitationByEmail(tx, email);
			if (open) return { invitationId: open.id, invited: true as const, userId: open.user_id };

			if (!user && input.name?.trim() && passwordHash) {
				user = await insertUser(tx, { email, name: input.name, passwordHash, createdAt: now });
				await auditAs(tx, actor, 'person.create', 'user', user.id, {
					after: { email: user.email },
					at: now
				});
			}
			const invitation = await insertInvitation(tx, {
				tenantId: actor.tenantId,
				email,
				userId: user?.id ?? null,
				role: input.role,
				organisationId,
				invitedBy: actor.userId,
				createdAt: now
			});
			await auditAs(tx, actor, 'membership.invite', 'membership_invitation', invitation.id, {
				after: { email, role: input.role, organisationId },
				at: now
			});
			await sendInvitationEmail(tx, actor.tenantId, {
				invitationId: invitation.id,
				email: user?.email ?? email,
				name: user?.name ?? email,
				locale: user?.locale ?? null,
				dedupeKey: `invitation:${invitation.id}`
			});
			// userId is for the seed and tests, which accept on the person's behalf; the routes
			// answer with the invitation alone.
			return { invitationId: invitation.id, invited: true as const, userId: user?.id ?? null };
		})
		.catch(
			// Two admins adding the same person at once: the loser finds the invitation or member.
			refuseUniqueViolations({
				users_email_key: alreadyMember,
				memberships_tenant_id_user_id_key: alreadyMember,
				membership_invitations_open_idx: alreadyMember
			})
		);
}

/** The tenant's open invitations (the addresses its administrators typed), for the people page. */
export function listPendingInvitations(db: AppDatabase, actor: Actor) {
	authorize(actor, 'people.manage');
	return db.inTenant(scopeOf(actor), async (tx) =>
		peopleSeenBy(actor, await listOpenInvitations(tx))
	);
}

/** The signed-in person's open invitations, before or after choosing a tenant. */
export function listMyInvitations(db: AppDatabase, userId: string) {
	return db.asPerson(userId, (tx) => listOwnInvitations(tx, userId));
}

/**
 * The person's answer. Accepting creates the membership in the inviting tenant, audited there;
 * declining closes the invitation. False when the invitation is not (or no longer) theirs to
 * answer — the same for an unknown id, another person's and one answered already.
 */
export async function answerMyInvitation(
	db: AppDatabase,
	userId: string,
	invitationId: string,
	answer: 'accepted' | 'declined',
	now: Date = new Date()
): Promise<boolean> {
	const invitation = await db.asPerson(userId, (tx) => findOwnInvitation(tx, userId, invitationId));
	if (!invitation) return false;
	// Not yet a member: the person acts, and is audited, in the inviting tenant.
	const invitee = { tenantId: invitation.tenant_id, userId };
	return db
		.inTenant(invitee, async (tx) => {
			if (!(await answerInvitation(tx, invitation.id, userId, answer, now))) return false;
			if (answer === 'declined') {
				await auditAs(tx, invitee, 'membership.decline', 'membership_invitation', invitation.id, {
					at: now
				});
				return true;
			}
			if (await findMembershipOfUser(tx, userId)) return true;
			const membership = await insertMembership(tx, {
				tenantId: invitation.tenant_id,
				userId,
				role: invitation.role,
				organisationId: invitation.organisation_id,
				createdAt: now
			});
			await auditAs(tx, invitee, 'membership.grant', 'membership', membership.id, {
				after: {
					userId,
					role: invitation.role,
					organisationId: invitation.organisation_id,
					invitationId: invitation.id
				},
				at: now
			});
			return true;
		})
		.catch((error: unknown) => {
			// Accepted twice at once: the other answer made the membership.
			if (violatedUniqueConstraint(error) === 'memberships_tenant_id_user_id_key') return true;
			throw error;
		});
}

/** The invitation email, addressed by email only: no in-app notification in a tenant they are not in. */
async function sendInvitationEmail(
	tx: Tx,
	tenantId: string,
	to: {
		invitationId: string;
		email: string;
		name: string;
		locale: Locale | null;
		dedupeKey: string;
	}
) {
	const context = await tenantMailContext(tx, tenantId);
	await writeMessages(tx, context, [
		resolvedMessage(
			'membership.invitation',
			{ tenant: context.tenantName },
			{
				recipients: [
					{
						email: to.email,
						name: to.name,
						userId: null,
						locale: to.locale,
						mailMode: 'immediate'
					}
				],
				link: '/choose-tenant',
				dedupeKey: to.dedupeKey
			}
		)
	]);
}

/*
 * Issue 12 item 7: an administrator (or an organisation's admin, for their own organisation's
 * users) deactivates, reactivates, changes the role of a member and resends an invitation. Each
 * is audited in its transaction; `people.manageMember` says on whom (never oneself).
 */

/** The member acted on, refused as absent when the actor may not act on them. */
async function memberFor(tx: Tx, actor: Actor, membershipId: string) {
	const member = await findMember(tx, membershipId);
	if (!member) throw notFound();
	authorize(actor, 'people.manageMember', {
		userId: member.user_id,
		role: member.role,
		organisationId: member.organisation_id
	});
	return member;
}

/**
 * Deactivates a membership in the actor's body: the person can no longer act in it, and every
 * session of theirs acting in it is deleted in the same transaction (their next request there is
 * signed out). Their memberships of other bodies are untouched.
 */
export async function deactivateMember(
	db: AppDatabase,
	actor: Actor,
	input: { membershipId: string },
	now: Date = new Date()
) {
	authorize(actor, 'people.manage');
	return db.inTenant(scopeOf(actor), async (tx) => {
		const member = await memberFor(tx, actor, input.membershipId);
		if (!(await setMembershipDeactivated(tx, member.id, { at: now, by: actor.userId })))
			throw new Refusal('CONFLICT', 'people_error_already_deactivated');
		const sessionsEnded = await deleteMemberSessions(tx, member.user_id);
		await auditAs(tx, actor, 'membership.deactivate', 'membership', member.id, {
			before: { deactivatedAt: null },
			after: { userId: member.user_id, deactivatedAt: now.toISOString(), sessionsEnded }
		});
		return { sessionsEnded };
	});
}

export async function reactivateMember(
	db: AppDatabase,
	actor: Actor,
	input: { membershipId: string }
) {
	authorize(actor, 'people.manage');
	return db.inTenant(scopeOf(actor), async (tx) => {
		const member = await memberFor(tx, actor, input.membershipId);
		if (!(await setMembershipDeactivated(tx, member.id, null)))
			throw new Refusal('CONFLICT', 'people_error_not_deactivated');
		await auditAs(tx, actor, 'membership.reactivate', 'membership', member.id, {
			before: { deactivatedAt: member.deactivated_at?.toISOString() ?? null },
			after: { userId: member.user_id, deactivatedAt: null }
		});
		return { ok: true as const };
	});
}

/**
 * A member's new role. The new role is a grant like an invitation's (`people.grant`): an
 * organisation's admin gives organisation roles in their own organisation only, so never makes
 * anyone staff; an organisation role always names its organisation.
 */
export async function changeMemberRole(
	db: AppDatabase,
	actor: Actor,
	input: { membershipId: string; role: Role; organisationId?: string | null }
) {
	authorize(actor, 'people.manage');
	const organisationId = roleNeedsOrganisation(input.role)
		? (input.organisationId ?? actor.organisationId ?? null)
		: null;
	if (roleNeedsOrganisation(input.role) && !organisationId)
		throw badInput('organisationId', 'error_organisation_required');
	return db.inTenant(scopeOf(actor), async (tx) => {
		const member = await memberFor(tx, actor, input.membershipId);
		authorize(actor, 'people.grant', { role: input.role, organisationId });
		if (organisationId && !(await findOrganisation(tx, organisationId)))
			throw badInput('organisationId', 'error_organisation_unknown');
		if (member.role === input.role && member.organisation_id === organisationId)
			return { changed: false as const };
		await setMembershipRole(tx, member.id, input.role, organisationId);
		await auditAs(tx, actor, 'membership.role_change', 'membership', member.id, {
			before: { role: member.role, organisationId: member.organisation_id },
			after: { userId: member.user_id, role: input.role, organisationId }
		});
		return { changed: true as const };
	});
}

/** Sends an open invitation's email again (a new message: the first one's key is spent). */
export async function resendInvitation(
	db: AppDatabase,
	actor: Actor,
	input: { invitationId: string }
) {
	authorize(actor, 'people.manage');
	return db.inTenant(scopeOf(actor), async (tx) => {
		const invitation = await findOpenInvitation(tx, input.invitationId);
		if (!invitation) throw new Refusal('NOT_FOUND', 'invitations_gone');
		// An organisation's admin sees only their organisation's invitations: another's is absent.
		const may = check(actor, 'people.grant', {
			role: invitation.role,
			organisationId: invitation.organisation_id
		});
		if (!may.ok) throw new Refusal('NOT_FOUND', 'invitations_gone');
		const user = invitation.user_id ? await findUserById(tx, invitation.user_id) : undefined;
		await sendInvitationEmail(tx, actor.tenantId, {
			invitationId: invitation.id,
			email: user?.email ?? invitation.email,
			name: user?.name ?? invitation.email,
			locale: user?.locale ?? null,
			dedupeKey: `invitation:${invitation.id}:resent:${randomUUID()}`
		});
		await auditAs(
			tx,
			actor,
			'membership.resend_invitation',
			'membership_invitation',
			invitation.id,
			{
				after: { email: invitation.email }
			}
		);
		return { resent: invitation.email };
	});
}
