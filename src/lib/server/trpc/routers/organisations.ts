import { capabilityProcedure, memberProcedure, router } from '../init';
import * as organisations from '../../services/organisations';
import {
	addContactInput,
	createOrganisationInput,
	inviteInput,
	listOrganisationsInput,
	organisationRef,
	removeContactInput,
	searchOrganisationsInput,
	updateContactInput,
	updateOrganisationInput
} from '../../services/organisations.schema';

export const organisationsRouter = router({
	list: memberProcedure
		.input(listOrganisationsInput)
		.query(({ ctx, input }) => organisations.listOrganisationPage(ctx.app.db, ctx.actor, input)),

	/** Search-as-you-type: id and name of the first few matches (the list filters' combobox). */
	search: memberProcedure
		.input(searchOrganisationsInput)
		.query(({ ctx, input }) =>
			organisations.searchOrganisations(ctx.app.db, ctx.actor, input.query)
		),

	get: memberProcedure
		.input(organisationRef)
		.query(({ ctx, input }) => organisations.getOrganisation(ctx.app.db, ctx.actor, input.id)),

	create: capabilityProcedure('organisation.manage')
		.input(createOrganisationInput)
		.mutation(({ ctx, input }) => organisations.createOrganisation(ctx.app.db, ctx.actor, input)),

	update: capabilityProcedure('organisation.manage')
		.input(updateOrganisationInput)
		.mutation(({ ctx, input }) =>
			organisations.updateOrganisation(ctx.app.db, ctx.actor, input.id, input.version, input)
		),

	timeline: memberProcedure
		.input(organisationRef)
		.query(({ ctx, input }) => organisations.organisationTimeline(ctx.app.db, ctx.actor, input.id)),

	users: memberProcedure
		.input(organisationRef)
		.query(({ ctx, input }) =>
			organisations.listOrganisationUsers(ctx.app.db, ctx.actor, input.id)
		),

	addContact: capabilityProcedure('organisation.manage')
		.input(addContactInput)
		.mutation(({ ctx, input }) =>
			organisations.addContact(ctx.app.db, ctx.actor, input.organisationId, input)
		),

	updateContact: capabilityProcedure('organisation.manage')
		.input(updateContactInput)
		.mutation(({ ctx, input }) =>
			organisations.updateContact(ctx.app.db, ctx.actor, input.id, input)
		),

	removeContact: capabilityProcedure('organisation.manage')
		.input(removeContactInput)
		.mutation(({ ctx, input }) => organisations.removeContact(ctx.app.db, ctx.actor, input.id)),

	/** A CB admin, or the organisation's own admin (the service checks which organisation). */
	invite: capabilityProcedure('organisation.inviteUsers')
		.input(inviteInput)
		.mutation(async ({ ctx, input }) => {
			const { invitationId } = await organisations.inviteOrganisationUser(
				ctx.app.db,
				ctx.actor,
				input.organisationId,
				input
			);
			return { invitationId, invited: true as const };
		})
});
