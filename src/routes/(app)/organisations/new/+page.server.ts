import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { submitForm } from '$lib/server/forms';
import { createOrganisation } from '$lib/server/services/organisations';
import { createOrganisationInput } from '$lib/server/services/organisations.schema';

export const load: PageServerLoad = ({ locals }) => {
	requireActor(locals, 'organisation.manage');
	return {};
};

export const actions: Actions = {
	default: async ({ locals, request }) => {
		const actor = requireActor(locals, 'organisation.manage');
		const { db } = await runtimeApp();
		return submitForm(request, locals.locale, createOrganisationInput, async (input) => {
			const organisation = await createOrganisation(db, actor, input);
			redirect(303, `/organisations/${organisation.id}?saved=created`);
		});
	}
};
