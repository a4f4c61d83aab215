import { capabilityProcedure, router, signedInProcedure } from '../init';
import { Refusal } from '../../errors';
import * as members from '../../services/members';
import {
	addMemberInput,
	answerInvitationInput,
	changeRoleInput,
	memberInput,
	resendInvitationInput
} from '../../services/members.schema';
import type { Role } from '../../../../../db/schema';

export const membersRouter = router({
	list: capabilityProcedure('people.manage').query(({ ctx }) =>
		members.listTenantMembers(ctx.app.db, ctx.actor)
	),

	/** A CB admin adds anyone; an organisation admin adds their organisation's users (service rule). */
	add: capabilityProcedure('people.manage')
		.input(addMemberInput)
		.mutation(async ({ ctx, input }) => {
			const { invitationId } = await members.addMember(ctx.app.db, ctx.actor, {
				...input,
				role: input.role as Role,
				organisationId: input.organisationId ?? null
			});
			// The same answer whoever the address belongs to (issue 8 §16).
			return { invitationId, invited: true as const };
		}),

	/** The tenant's open invitations (the addresses typed, never another tenant's names). */
	invitations: capabilityProcedure('people.manage').query(({ ctx }) =>
		members.listPendingInvitations(ctx.app.db, ctx.actor)
	),

	/* Issue 12 item 7: the same services as the people page's row forms. */
	deactivate: capabilityProcedure('people.manage')
		.input(memberInput)
		.mutation(({ ctx, input }) => members.deactivateMember(ctx.app.db, ctx.actor, input)),
	reactivate: capabilityProcedure('people.manage')
		.input(memberInput)
		.mutation(({ ctx, input }) => members.reactivateMember(ctx.app.db, ctx.actor, input)),
	changeRole: capabilityProcedure('people.manage')
		.input(changeRoleInput)
		.mutation(({ ctx, input }) =>
			members.changeMemberRole(ctx.app.db, ctx.actor, { ...input, role: input.role as Role })
		),
	resendInvitation: capabilityProcedure('people.manage')
		.input(resendInvitationInput)
		.mutation(({ ctx, input }) => members.resendInvitation(ctx.app.db, ctx.actor, input)),

	/** The signed-in person's own open invitations, in any tenant. */
	myInvitations: signedInProcedure.query(({ ctx }) =>
		members.listMyInvitations(ctx.app.db, ctx.person.userId)
	),

	answerInvitation: signedInProcedure
		.input(answerInvitationInput)
		.mutation(async ({ ctx, input }) => {
			const answered = await members.answerMyInvitation(
				ctx.app.db,
				ctx.person.userId,
				input.invitationId,
				input.answer
			);
			if (!answered) throw new Refusal('NOT_FOUND', 'invitations_gone', {}, 'invitationId');
			return { ok: true };
		})
});
