import { byId, router, service } from '../init';
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

/* Organisations: members read what their role sees (the service decides), managers change them. */

const manage = 'organisation.manage';

export const organisationsRouter = router({
	list: service('member', listOrganisationsInput).query(organisations.listOrganisationPage),
	/** Search-as-you-type: id and name of the first few matches (the list filters' combobox). */
	search: service('member', searchOrganisationsInput).query((db, actor, { query }) =>
		organisations.searchOrganisations(db, actor, query)
	),
	get: service('member', organisationRef).query(byId(organisations.getOrganisation)),
	create: service(manage, createOrganisationInput).mutation(organisations.createOrganisation),
	update: service(manage, updateOrganisationInput).mutation((db, actor, input) =>
		organisations.updateOrganisation(db, actor, input.id, input.version, input)
	),
	timeline: service('member', organisationRef).query(byId(organisations.organisationTimeline)),
	users: service('member', organisationRef).query(byId(organisations.listOrganisationUsers)),
	addContact: service(manage, addContactInput).mutation((db, actor, input) =>
		organisations.addContact(db, actor, input.organisationId, input)
	),
	updateContact: service(manage, updateContactInput).mutation((db, actor, input) =>
		organisations.updateContact(db, actor, input.id, input)
	),
	removeContact: service(manage, removeContactInput).mutation(byId(organisations.removeContact)),
	/** A CB admin, or the organisation's own admin (the service checks which organisation). */
	invite: service('organisation.inviteUsers', inviteInput).mutation(async (db, actor, input) => {
		const { invitationId } = await organisations.inviteOrganisationUser(
			db,
			actor,
			input.organisationId,
			input
		);
		return { invitationId, invited: true as const };
	})
});
