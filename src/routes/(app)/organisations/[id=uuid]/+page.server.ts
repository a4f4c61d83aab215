import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { loadOrRefuse, submitForm } from '$lib/server/forms';
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

export const load: PageServerLoad = async ({ locals, params, url }) => {
	const actor = requireActor(locals, 'organisation.list');
	const { db } = await runtimeApp();
	return loadOrRefuse(locals.locale, async () => {
		const organisation = await getOrganisation(db, actor, params.id);
		const certificates = await listCertificates(db, actor, { organisationId: organisation.id });
		const users = await listOrganisationUsers(db, actor, organisation.id);
		const timeline = await organisationTimeline(db, actor, organisation.id);
		const editing = url.searchParams.get('contact');
		return {
			organisation,
			certificates,
			users,
			timeline,
			canKeep: can(actor, 'organisation.manage'),
			canInvite: can(actor, 'organisation.inviteUsers', { organisationId: organisation.id }),
			// The least powerful first: the invite form's default.
			inviteRoles: [...ORG_ROLES].reverse(),
			editingContact: organisation.contacts.find((contact) => contact.id === editing) ?? null,
			saved: url.searchParams.get('saved')
		};
	});
};

export const actions: Actions = {
	addContact: async ({ locals, request, params }) => {
		const actor = requireActor(locals, 'organisation.manage');
		const { db } = await runtimeApp();
		return submitForm(
			request,
			locals.locale,
			addContactInput,
			async (input) => {
				await addContact(db, actor, input.organisationId, input);
				return { contactSaved: 'added' as const };
			},
			{ extra: { organisationId: params.id }, form: 'contact' }
		);
	},

	updateContact: async ({ locals, request, params }) => {
		const actor = requireActor(locals, 'organisation.manage');
		const { db } = await runtimeApp();
		return submitForm(
			request,
			locals.locale,
			updateContactInput,
			async (input) => {
				await updateContact(db, actor, input.id, input);
				// Back to the add form: the edited contact is no longer in the address.
				redirect(303, `/organisations/${params.id}?saved=contact#contacts`);
			},
			{ form: 'contact' }
		);
	},

	removeContact: async ({ locals, request }) => {
		const actor = requireActor(locals, 'organisation.manage');
		const { db } = await runtimeApp();
		return submitForm(
			request,
			locals.locale,
			removeContactInput,
			async (input) => {
				await removeContact(db, actor, input.id);
				return { contactSaved: 'removed' as const };
			},
			{ form: 'contacts' }
		);
	},

	invite: async ({ locals, request, params }) => {
		const actor = requireActor(locals, 'organisation.inviteUsers');
		const { db } = await runtimeApp();
		return submitForm(
			request,
			locals.locale,
			inviteInput,
			async (input) => {
				await inviteOrganisationUser(db, actor, input.organisationId, input);
				return { invited: input.email };
			},
			{ extra: { organisationId: params.id }, form: 'invite' }
		);
	}
};
