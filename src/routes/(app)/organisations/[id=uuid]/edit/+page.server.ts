import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { loadOrRefuse } from '$lib/server/forms';
import { formAction } from '$lib/server/pages';
import { getOrganisation, updateOrganisation } from '$lib/server/services/organisations';
import { updateOrganisationInput } from '$lib/server/services/organisations.schema';

export const load: PageServerLoad = async ({ locals, params }) => {
	const actor = requireActor(locals, 'organisation.manage');
	const { db } = await runtimeApp();
	const organisation = await loadOrRefuse(locals.locale, () =>
		getOrganisation(db, actor, params.id)
	);
	return {
		organisation: {
			id: organisation.id,
			legalName: organisation.legal_name,
			uscc: organisation.uscc,
			address: organisation.address,
			version: organisation.version
		}
	};
};

export const actions: Actions = {
	default: formAction(
		'organisation.manage',
		updateOrganisationInput,
		async ({ db, actor, input }) => {
			await updateOrganisation(db, actor, input.id, input.version, input);
			redirect(303, `/organisations/${input.id}?saved=updated`);
		},
		{ extra: ({ params }) => ({ id: params.id }) }
	)
};
