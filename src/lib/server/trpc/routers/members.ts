import { capabilityProcedure, router } from '../init';
import * as members from '../../services/members';
import { addMemberInput } from '../../services/members.schema';
import type { Role } from '../../../../../db/schema';

export const membersRouter = router({
	list: capabilityProcedure('people.manage').query(({ ctx }) =>
		members.listTenantMembers(ctx.app.db, ctx.actor)
	),

	/** A CB admin adds anyone; an organisation admin adds their organisation's users (service rule). */
	add: capabilityProcedure('people.manage')
		.input(addMemberInput)
		.mutation(({ ctx, input }) =>
			members.addMember(ctx.app.db, ctx.actor, {
				...input,
				role: input.role as Role,
				organisationId: input.organisationId ?? null
			})
		)
});
