import { sql } from 'kysely';
import type { TestDatabase } from './databases';
import { answerMyInvitation } from '../../src/lib/server/services/members';

/** The open invitation of `tenantId` for `email`, read as the owner (arranging and checking). */
export function openInvitation(t: TestDatabase, tenantId: string, email: string) {
	return t.owner
		.selectFrom('membership_invitations')
		.selectAll()
		.where('tenant_id', '=', tenantId)
		.where(sql<string>`lower(email)`, '=', email.trim().toLowerCase())
		.where('answer', 'is', null)
		.executeTakeFirst();
}

/** Accepts the open invitation as the invited person; returns their new membership. */
export async function acceptInvitation(t: TestDatabase, tenantId: string, email: string) {
	const invitation = await openInvitation(t, tenantId, email);
	if (!invitation?.user_id) throw new Error(`no acceptable invitation for ${email}`);
	if (!(await answerMyInvitation(t.db, invitation.user_id, invitation.id, 'accepted')))
		throw new Error(`invitation for ${email} could not be accepted`);
	return t.owner
		.selectFrom('memberships')
		.selectAll()
		.where('tenant_id', '=', tenantId)
		.where('user_id', '=', invitation.user_id)
		.executeTakeFirstOrThrow();
}
