import type { Actions, PageServerLoad } from './$types';
import { formAction, pageLoad } from '$lib/server/pages';
import { can, grantableRoles } from '$lib/server/domain/permissions';
import {
	addMember,
	changeMemberRole,
	deactivateMember,
	listPendingInvitations,
	listTenantMembers,
	reactivateMember,
	resendInvitation
} from '$lib/server/services/members';
import {
	addMemberInput,
	changeRoleInput,
	memberInput,
	resendInvitationInput
} from '$lib/server/services/members.schema';
import { listOrganisations } from '$lib/server/services/organisations';
import type { Role } from '../../../../db/schema';

export const load = pageLoad('people.manage', async ({ db, actor }) => {
	const [members, invitations, organisations] = await Promise.all([
		listTenantMembers(db, actor),
		listPendingInvitations(db, actor),
		listOrganisations(db, actor)
	]);
	return {
		members: members.map((member) => ({
			id: member.id,
			name: member.name,
			email: member.email,
			role: member.role,
			organisation_id: member.organisation_id,
			organisation_name: member.organisation_name,
			deactivated: member.deactivated_at !== null,
			// The same rule the services apply: never oneself, an org admin their own people only.
			manageable: can(actor, 'people.manageMember', {
				userId: member.user_id,
				role: member.role,
				organisationId: member.organisation_id
			})
		})),
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
	}),
	deactivate: formAction(
		'people.manage',
		memberInput,
		async ({ db, actor, input, form }) => {
			await deactivateMember(db, actor, input);
			return { form, deactivated: true as const };
		},
		{ form: (event) => `member-${event.url.searchParams.get('member') ?? ''}` }
	),
	reactivate: formAction(
		'people.manage',
		memberInput,
		async ({ db, actor, input, form }) => {
			await reactivateMember(db, actor, input);
			return { form, reactivated: true as const };
		},
		{ form: (event) => `member-${event.url.searchParams.get('member') ?? ''}` }
	),
	role: formAction(
		'people.manage',
		changeRoleInput,
		async ({ db, actor, input, form }) => {
			await changeMemberRole(db, actor, { ...input, role: input.role as Role });
			return { form, roleChanged: true as const };
		},
		{ form: (event) => `member-${event.url.searchParams.get('member') ?? ''}` }
	),
	resend: formAction(
		'people.manage',
		resendInvitationInput,
		async ({ db, actor, input, form }) => {
			const { resent } = await resendInvitation(db, actor, input);
			return { form, resent };
		},
		{ form: (event) => `invitation-${event.url.searchParams.get('invitation') ?? ''}` }
	)
};
