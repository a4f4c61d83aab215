import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { formAction, pageLoad } from '$lib/server/pages';
import { getOrganisation, updateOrganisation } from '$lib/server/services/organisations';
import { updateOrganisationInput } from '$lib/server/services/organisations.schema';

export const load = pageLoad('organisation.manage', async ({ db, actor, event: { params } }) => {
	const organisation = await getOrganisation(db, actor, params.id);
	return {
		organisation: {
			id: organisation.id,
			legalName: organisation.legal_name,
			uscc: organisation.uscc,
			address: organisation.address,
			version: organisation.version
		}
	};
}) satisfies PageServerLoad;

export const actions: Actions = {
	default: formAction(
		'organisation.manage',
		updateOrganisationInput,
		async ({ db, actor, input }) => {
			await updateOrganisation(db, actor, input.id, input.version, input);
			redirect(303, `/organisations/${input.id}?saved=updated`);
		},
		{ idAs: 'id' }
	)
};
