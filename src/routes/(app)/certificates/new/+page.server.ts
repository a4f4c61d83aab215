import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { certificateFormChoices, createCertificate } from '$lib/server/services/certificates';
import { todayInZone } from '$lib/server/domain/calendar';
import { NEW_CERTIFICATE_FIELDS, newCertificateForm } from '../certificate-form';
import { formValues, invalidInput, refused } from '../../organisations/form-failure';

export const load: PageServerLoad = async ({ locals, url }) => {
	const actor = requireActor(locals, 'admin', 'evaluator');
	const choices = await certificateFormChoices((await runtimeApp()).db, actor);
	const organisationId = url.searchParams.get('organisationId') ?? '';
	return {
		...choices,
		initial: {
			organisationId: choices.organisations.some((o) => o.id === organisationId)
				? organisationId
				: '',
			issuedOn: todayInZone(new Date(), actor.tenant.timeZone)
		}
	};
};

export const actions: Actions = {
	default: async ({ locals, request }) => {
		const actor = requireActor(locals, 'admin', 'evaluator');
		const values = formValues(await request.formData(), NEW_CERTIFICATE_FIELDS);
		const parsed = newCertificateForm.safeParse(values);
		if (!parsed.success) return invalidInput(parsed.error, locals.locale, values);
		let id: string;
		try {
			id = (await createCertificate((await runtimeApp()).db, actor, parsed.data)).id;
		} catch (cause) {
			return refused(cause, locals.locale, values);
		}
		redirect(303, `/certificates/${id}?saved=created`);
	}
};
