import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { formAction, pageLoad } from '$lib/server/pages';
import { can } from '$lib/server/domain/permissions';
import { ORG_ROLES } from '$lib/server/domain/roles';
import {
	addContact,
	getOrganisation,
	inviteOrganisationUser,
	listOrganisationUsers,
	organisationTimeline,
	removeContact,
	updateContact
} from '$lib/server/services/organisations';
import {
	addContactInput,
	inviteInput,
	removeContactInput,
	updateContactInput
} from '$lib/server/services/organisations.schema';
import { listCertificates } from '$lib/server/services/certificates';
import { organisationFigures } from '$lib/server/services/figures';
import { getServiceSystem } from '$lib/server/services/service-system';

export const load = pageLoad('organisation.list', async ({ db, actor, event: { params, url } }) => {
	const organisation = await getOrganisation(db, actor, params.id);
	const certificates = await listCertificates(db, actor, { organisationId: organisation.id });
	const users = await listOrganisationUsers(db, actor, organisation.id);
	const timeline = await organisationTimeline(db, actor, organisation.id);
	const figures = await organisationFigures(db, actor, organisation.id);
	const service = await getServiceSystem(db, actor, { organisationId: organisation.id });
	const editing = url.searchParams.get('contact');
	return {
		organisation,
		certificates,
		users,
		timeline,
		figures,
		serviceCounts: {
			commitments: service.commitments.length,
			objectives: service.objectives.length,
			outlets: service.outlets.length
		},
		figuresLinked: can(actor, 'finding.list'),
		canKeep: can(actor, 'organisation.manage'),
		canImportCertificate: can(actor, 'certificate.import'),
		canInvite: can(actor, 'organisation.inviteUsers', { organisationId: organisation.id }),
		// The least powerful first: the invite form's default.
		inviteRoles: [...ORG_ROLES].reverse(),
		editingContact: organisation.contacts.find((contact) => contact.id === editing) ?? null,
		saved: url.searchParams.get('saved')
	};
}) satisfies PageServerLoad;

export const actions: Actions = {
	addContact: formAction(
		'organisation.manage',
		addContactInput,
		async ({ db, actor, input }) => {
			await addContact(db, actor, input.organisationId, input);
			return { contactSaved: 'added' as const };
		},
		{ idAs: 'organisationId', form: 'contact' }
	),

	updateContact: formAction(
		'organisation.manage',
		updateContactInput,
		async ({ db, actor, input, event }) => {
			await updateContact(db, actor, input.id, input);
			// Back to the add form: the edited contact is no longer in the address.
			redirect(303, `/organisations/${event.params.id}?saved=contact#contacts`);
		},
		{ form: 'contact' }
	),

	removeContact: formAction(
		'organisation.manage',
		removeContactInput,
		async ({ db, actor, input }) => {
			await removeContact(db, actor, input.id);
			return { contactSaved: 'removed' as const };
		},
		{ form: 'contacts' }
	),

	invite: formAction(
		'organisation.inviteUsers',
		inviteInput,
		async ({ db, actor, input }) => {
			await inviteOrganisationUser(db, actor, input.organisationId, input);
			return { invited: input.email };
		},
		{ idAs: 'organisationId', form: 'invite' }
	)
};
