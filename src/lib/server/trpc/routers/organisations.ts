import { z } from 'zod';
import { memberProcedure, router, staffProcedure } from '../init';
import * as organisations from '../../services/organisations';
import { email, id, password, requiredText, version } from '../inputs';

const organisationInput = z.object({
	legalName: requiredText(200),
	uscc: z.string().trim().min(1, { error: 'error_required' }),
	address: z.string().trim().max(500, { error: 'error_too_long' }).default('')
});

/** A contact as the API and the organisation page's forms take it. */
export const contactInput = z.object({
	name: requiredText(100),
	email: email.pipe(z.string().max(200, { error: 'error_too_long' })),
	phone: z.string().trim().max(50, { error: 'error_too_long' }).default(''),
	locale: z.enum(['zh-CN', 'en'], { error: 'organisations_error_locale_invalid' }).default('zh-CN'),
	receivesReminders: z.boolean().default(true)
});

/** An invitation of an organisation user: a new person needs a name and an initial password. */
export const inviteInput = z.object({
	email,
	name: z.string().trim().max(100, { error: 'error_too_long' }).optional(),
	password: password.optional(),
	role: z.enum(['org_admin', 'org_member'], { error: 'organisations_error_invite_role' })
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
		),

	timeline: memberProcedure
		.input(z.object({ id }))
		.query(({ ctx, input }) => organisations.organisationTimeline(ctx.app.db, ctx.actor, input.id)),

	users: memberProcedure
		.input(z.object({ id }))
		.query(({ ctx, input }) =>
			organisations.listOrganisationUsers(ctx.app.db, ctx.actor, input.id)
		),

	addContact: staffProcedure('admin', 'evaluator')
		.input(contactInput.extend({ organisationId: id }))
		.mutation(({ ctx, input }) =>
			organisations.addContact(ctx.app.db, ctx.actor, input.organisationId, input)
		),

	updateContact: staffProcedure('admin', 'evaluator')
		.input(contactInput.extend({ id }))
		.mutation(({ ctx, input }) =>
			organisations.updateContact(ctx.app.db, ctx.actor, input.id, input)
		),

	removeContact: staffProcedure('admin', 'evaluator')
		.input(z.object({ id }))
		.mutation(({ ctx, input }) => organisations.removeContact(ctx.app.db, ctx.actor, input.id)),

	/** A CB admin, or the organisation's own admin (the service checks which organisation). */
	invite: memberProcedure
		.input(inviteInput.extend({ organisationId: id }))
		.mutation(({ ctx, input }) =>
			organisations.inviteOrganisationUser(ctx.app.db, ctx.actor, input.organisationId, input)
		)
});
