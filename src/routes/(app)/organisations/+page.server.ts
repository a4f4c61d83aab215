import type { PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { can } from '$lib/server/domain/permissions';
import { listOrganisationPage } from '$lib/server/services/organisations';
import {
	ORGANISATION_SORTS,
	listOrganisationsInput
} from '$lib/server/services/organisations.schema';
import { loadListPage } from '$lib/server/http/list-query';

const NAMES = { search: 'q', sort: 'sort', cursor: 'after' };

export const load: PageServerLoad = async ({ locals, url }) => {
	const actor = requireActor(locals, 'organisation.list');
	const { db } = await runtimeApp();
	const { input, page, links } = await loadListPage(url, listOrganisationsInput, NAMES, (input) =>
		listOrganisationPage(db, actor, input)
	);
	return {
		page,
		...links,
		q: input.search ?? '',
		sort: input.sort ?? 'name',
		filtered: Boolean(input.search),
		sorts: ORGANISATION_SORTS,
		canCreate: can(actor, 'organisation.manage')
	};
};
