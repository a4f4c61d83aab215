import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requireActor } from '$lib/server/guards';
import { formAction } from '$lib/server/pages';
import { createOrganisation } from '$lib/server/services/organisations';
import { createOrganisationInput } from '$lib/server/services/organisations.schema';

export const load: PageServerLoad = ({ locals }) => {
	requireActor(locals, 'organisation.manage');
	return {};
};

export const actions: Actions = {
	default: formAction(
		'organisation.manage',
		createOrganisationInput,
		async ({ db, actor, input }) => {
			const organisation = await createOrganisation(db, actor, input);
			redirect(303, `/organisations/${organisation.id}?saved=created`);
		}
	)
};
