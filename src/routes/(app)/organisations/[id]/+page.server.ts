import { error, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import {
	addContact,
	getOrganisation,
	inviteOrganisationUser,
	listOrganisationUsers,
	mayInviteOrganisationUsers,
	organisationTimeline,
	removeContact,
	updateContact
} from '$lib/server/services/organisations';
import { listCertificates } from '$lib/server/services/certificates';
import { Refusal } from '$lib/server/errors';
import { translate } from '$lib/server/i18n/translate';
import { contactInput, inviteInput } from '$lib/server/trpc/routers/organisations';
import { id } from '$lib/server/trpc/inputs';
import { formValues, invalidInput, refused } from '../form-failure';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Admins and evaluators keep the organisation and its contacts. */
const KEEPERS = ['admin', 'evaluator'] as const;

export const load: PageServerLoad = async ({ locals, params, url }) => {
	const actor = requireActor(locals);
	if (!UUID.test(params.id)) error(404, translate('error_not_found', locals.locale));
	const { db } = await runtimeApp();
	try {
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
			canKeep: (KEEPERS as readonly string[]).includes(actor.role),
			canInvite: mayInviteOrganisationUsers(actor, organisation.id),
			editingContact: organisation.contacts.find((contact) => contact.id === editing) ?? null,
			saved: url.searchParams.get('saved')
		};
	} catch (cause) {
		if (cause instanceof Refusal) error(404, translate(cause.messageKey, locals.locale));
		throw cause;
	}
};

const CONTACT_FIELDS = ['id', 'name', 'email', 'phone', 'locale', 'receivesReminders'] as const;
const INVITE_FIELDS = ['email', 'name', 'role'] as const;

/** The contact form: a checkbox sends 'on' or nothing. */
function contactFrom(values: Record<string, string>) {
	return contactInput.safeParse({
		...values,
		receivesReminders: values.receivesReminders === 'on'
	});
}

export const actions: Actions = {
	addContact: async ({ locals, request, params }) => {
		const actor = requireActor(locals, ...KEEPERS);
		const values = formValues(await request.formData(), CONTACT_FIELDS);
		const parsed = contactFrom(values);
		if (!parsed.success)
			return invalidInput(parsed.error, locals.locale, { ...values, form: 'contact' });
		try {
			await addContact((await runtimeApp()).db, actor, params.id, parsed.data);
		} catch (cause) {
			return refused(cause, locals.locale, { ...values, form: 'contact' });
		}
		return { contactSaved: 'added' as const };
	},

	updateContact: async ({ locals, request, params }) => {
		const actor = requireActor(locals, ...KEEPERS);
		const values = formValues(await request.formData(), CONTACT_FIELDS);
		const parsed = contactFrom(values);
		const contactId = id.safeParse(values.id);
		if (!parsed.success)
			return invalidInput(parsed.error, locals.locale, { ...values, form: 'contact' });
		try {
			if (!contactId.success) throw new Refusal('NOT_FOUND', 'organisations_error_contact_gone');
			await updateContact((await runtimeApp()).db, actor, contactId.data, parsed.data);
		} catch (cause) {
			const gone = cause instanceof Refusal && cause.kind === 'NOT_FOUND';
			return refused(
				gone ? new Refusal('NOT_FOUND', 'organisations_error_contact_gone') : cause,
				locals.locale,
				{ ...values, form: 'contact' }
			);
		}
		// Back to the add form: the edited contact is no longer in the address.
		redirect(303, `/organisations/${params.id}?saved=contact#contacts`);
	},

	removeContact: async ({ locals, request }) => {
		const actor = requireActor(locals, ...KEEPERS);
		const contactId = id.safeParse(String((await request.formData()).get('id') ?? ''));
		try {
			if (!contactId.success) throw new Refusal('NOT_FOUND', 'organisations_error_contact_gone');
			await removeContact((await runtimeApp()).db, actor, contactId.data);
		} catch (cause) {
			const gone = cause instanceof Refusal && cause.kind === 'NOT_FOUND';
			return refused(
				gone ? new Refusal('NOT_FOUND', 'organisations_error_contact_gone') : cause,
				locals.locale,
				{ form: 'contacts' }
			);
		}
		return { contactSaved: 'removed' as const };
	},

	invite: async ({ locals, request, params }) => {
		const actor = requireActor(locals, 'admin', 'org_admin');
		const data = await request.formData();
		const values = { ...formValues(data, INVITE_FIELDS), form: 'invite' };
		const password = String(data.get('password') ?? '');
		const parsed = inviteInput
			.extend({ name: z.string().trim().max(100, { error: 'error_too_long' }) })
			.safeParse({ ...values, password: password || undefined });
		if (!parsed.success) return invalidInput(parsed.error, locals.locale, values);
		try {
			await inviteOrganisationUser((await runtimeApp()).db, actor, params.id, {
				...parsed.data,
				name: parsed.data.name || undefined
			});
		} catch (cause) {
			return refused(cause, locals.locale, values);
		}
		return { invited: parsed.data.email };
	}
};
