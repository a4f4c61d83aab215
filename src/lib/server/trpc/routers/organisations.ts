import { z } from 'zod';
import { memberProcedure, router, staffProcedure } from '../init';
import * as organisations from '../../services/organisations';
import { id, requiredText, version } from '../inputs';

const organisationInput = z.object({
	legalName: requiredText(200),
	uscc: z.string().trim().min(1, { error: 'error_required' }),
	address: z.string().trim().max(500, { error: 'error_too_long' }).default('')
});

export const organisationsRouter = router({
	list: memberProcedure
		.input(z.object({ search: z.string().trim().max(100).optional() }).default({}))
		.query(({ ctx, input }) =>
			organisations.listOrganisations(ctx.app.db, ctx.actor, input.search)
		),

	get: memberProcedure
		.input(z.object({ id }))
		.query(({ ctx, input }) => organisations.getOrganisation(ctx.app.db, ctx.actor, input.id)),

	create: staffProcedure('admin', 'evaluator')
		.input(organisationInput)
		.mutation(({ ctx, input }) => organisations.createOrganisation(ctx.app.db, ctx.actor, input)),

	update: staffProcedure('admin', 'evaluator')
		.input(organisationInput.extend({ id, version }))
		.mutation(({ ctx, input }) =>
			organisations.updateOrganisation(ctx.app.db, ctx.actor, input.id, input.version, input)
		)
});
