import type { Actions, PageServerLoad } from './$types';
import { formAction, pageLoad } from '$lib/server/pages';
import { grantableRoles } from '$lib/server/domain/permissions';
import { addMember, listPendingInvitations, listTenantMembers } from '$lib/server/services/members';
import { addMemberInput } from '$lib/server/services/members.schema';
import { listOrganisations } from '$lib/server/services/organisations';
import type { Role } from '../../../../db/schema';

export const load = pageLoad('people.manage', async ({ db, actor }) => {
	const [members, invitations, organisations] = await Promise.all([
		listTenantMembers(db, actor),
		listPendingInvitations(db, actor),
		listOrganisations(db, actor)
	]);
	return {
		members,
		invitations: invitations.map((i) => ({
			id: i.id,
			email: i.email,
			role: i.role,
			organisationName: i.organisation_name,
			sentAt: new Date(i.created_at).toISOString()
		})),
		organisations: organisations.map((o) => ({ id: o.id, name: o.legal_name })),
		/**
		 * An organisation's admin manages their own organisation's people: the page speaks of it by
		 * name and offers no organisation to choose.
		 */
		ownOrganisation: actor.organisationId
			? (organisations.find((o) => o.id === actor.organisationId)?.legal_name ?? '')
			: null,
		grantableRoles: grantableRoles(actor)
	};
}) satisfies PageServerLoad;

export const actions: Actions = {
	add: formAction('people.manage', addMemberInput, async ({ db, actor, input }) => {
		await addMember(db, actor, {
			...input,
			role: input.role as Role,
			// An organisation's admin adds people to their own organisation unless they chose one.
			organisationId: input.organisationId ?? actor.organisationId ?? null
		});
		return { invited: input.email };
	})
};
