import type { AppDatabase } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import type { Role } from '../../../../db/schema';
import { roleNeedsOrganisation } from '../domain/roles';
import { mayEver } from '../domain/permissions';
import { badInput, Refusal } from '../errors';
import { authorize } from './authorize';
import { hashPassword } from '../auth/password';
import { findUserByEmail, insertUser } from '../repositories/users';
import { findMembershipOfUser, insertMembership, listMembers } from '../repositories/memberships';
import { findOrganisation } from '../repositories/organisations';
import { recordAudit } from '../repositories/audit';
import { refuseUniqueViolations } from '../db/errors';

export interface AddMemberInput {
	email: string;
	/** Needed only when the email names nobody yet. */
	name?: string;
	/** The new person's initial password; an existing identity keeps theirs. */
	password?: string;
	role: Role;
	organisationId: string | null;
}

export function listTenantMembers(db: AppDatabase, actor: Actor) {
	authorize(actor, 'people.manage');
	return db.inTenant(scopeOf(actor), async (tx) => {
		const members = await listMembers(tx);
		return mayEver(actor, 'people.readAll')
			? members
			: members.filter((m) => m.organisation_id && m.organisation_id === actor.organisationId);
	});
}

/**
 * Gives a person a role in the actor's tenant: a new identity, or an existing one found by
 * email (a person may work with several bodies). One membership per person and tenant.
 */
export async function addMember(db: AppDatabase, actor: Actor, input: AddMemberInput) {
	const organisationId = roleNeedsOrganisation(input.role) ? input.organisationId : null;
	if (roleNeedsOrganisation(input.role) && !organisationId)
		throw badInput('organisationId', 'error_organisation_required');
	authorize(actor, 'people.grant', { role: input.role, organisationId });

	const passwordHash = input.password ? await hashPassword(input.password) : null;
	const alreadyMember = () =>
		new Refusal('CONFLICT', 'error_already_member', { email: input.email.trim() }, 'email');
	return db
		.inTenant(scopeOf(actor), async (tx) => {
			if (organisationId && !(await findOrganisation(tx, organisationId)))
				throw badInput('organisationId', 'error_organisation_unknown');

			let user = await findUserByEmail(tx, input.email);
			const createdPerson = !user;
			if (!user) {
				if (!input.name?.trim()) throw badInput('name', 'error_name_required_for_new_person');
				if (!passwordHash) throw badInput('password', 'error_password_required_for_new_person');
				user = await insertUser(tx, { email: input.email, name: input.name, passwordHash });
				await recordAudit(tx, {
					tenantId: actor.tenantId,
					actorUserId: actor.userId,
					action: 'person.create',
					entityType: 'user',
					entityId: user.id,
					after: { email: user.email, name: user.name }
				});
			}
			if (await findMembershipOfUser(tx, user.id)) throw alreadyMember();

			const membership = await insertMembership(tx, {
				tenantId: actor.tenantId,
				userId: user.id,
				role: input.role,
				organisationId
			});
			await recordAudit(tx, {
				tenantId: actor.tenantId,
				actorUserId: actor.userId,
				action: 'membership.grant',
				entityType: 'membership',
				entityId: membership.id,
				after: { userId: user.id, email: user.email, role: input.role, organisationId }
			});
			return { membershipId: membership.id, userId: user.id, createdPerson };
		})
		.catch(
			// Two admins adding the same person at once: the loser finds them already a member.
			refuseUniqueViolations({
				users_email_key: alreadyMember,
				memberships_tenant_id_user_id_key: alreadyMember
			})
		);
}
