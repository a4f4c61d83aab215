import { z } from 'zod';
import { router, memberProcedure } from '../init';
import * as members from '../../services/members';
import type { Role } from '../../../../../db/schema';
import { email, id, password, role } from '../inputs';

export const membersRouter = router({
	list: memberProcedure.query(({ ctx }) => members.listTenantMembers(ctx.app.db, ctx.actor)),

	/** A CB admin adds anyone; an organisation admin adds their organisation's users (service rule). */
	add: memberProcedure
		.input(
			z.object({
				email,
				name: z.string().trim().max(100).optional(),
				password: password.optional(),
				role,
				organisationId: id.nullable().default(null)
			})
		)
		.mutation(({ ctx, input }) =>
			members.addMember(ctx.app.db, ctx.actor, { ...input, role: input.role as Role })
		)
});
