import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { createOrganisation } from '$lib/server/services/organisations';
import { organisationForm, ORGANISATION_FIELDS } from '../organisation-form';
import { formValues, invalidInput, refused } from '../form-failure';

export const load: PageServerLoad = ({ locals }) => {
	requireActor(locals, 'admin', 'evaluator');
	return {};
};

export const actions: Actions = {
	default: async ({ locals, request }) => {
		const actor = requireActor(locals, 'admin', 'evaluator');
		const values = formValues(await request.formData(), ORGANISATION_FIELDS);
		const parsed = organisationForm.safeParse(values);
		if (!parsed.success) return invalidInput(parsed.error, locals.locale, values);
		let id: string;
		try {
			id = (await createOrganisation((await runtimeApp()).db, actor, parsed.data)).id;
		} catch (cause) {
			return refused(cause, locals.locale, values);
		}
		redirect(303, `/organisations/${id}?saved=created`);
	}
};
