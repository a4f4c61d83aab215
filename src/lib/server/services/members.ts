import type { AppDatabase } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import type { Role } from '../../../../db/schema';
import { roleNeedsOrganisation } from '../domain/roles';
import { mayEver } from '../domain/permissions';
import { badInput, Refusal } from '../errors';
import { authorize } from './authorize';
import { hashPassword } from '../auth/password';
import { findUserByEmail, insertUser } from '../repositories/users';
import {
	answerInvitation,
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
			const context = await tenantMailContext(tx, actor.tenantId);
			await writeMessages(tx, context, [
				resolvedMessage(
					'membership.invitation',
					{ tenant: context.tenantName },
					{
						// Addressed by email only: no in-app notification in a tenant they are not in.
						recipients: [
							{
								email: user?.email ?? email,
								name: user?.name ?? email,
								userId: null,
								locale: user?.locale ?? null,
								mailMode: 'immediate'
							}
						],
						link: '/choose-tenant',
						dedupeKey: `invitation:${invitation.id}`
					}
				)
			]);
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
