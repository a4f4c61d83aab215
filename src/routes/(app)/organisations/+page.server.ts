import type { PageServerLoad } from './$types';
import { pageLoad } from '$lib/server/pages';
import { can } from '$lib/server/domain/permissions';
import { listOrganisationPage } from '$lib/server/services/organisations';
import {
	ORGANISATION_SORTS,
	listOrganisationsInput
} from '$lib/server/services/organisations.schema';
import { filterQueryOf, loadListPage } from '$lib/server/http/list-query';
import { ORGANISATION_QUERY as NAMES } from '$lib/server/http/list-names';

export const load = pageLoad('organisation.list', async ({ db, actor, event: { url } }) => {
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
		canCreate: can(actor, 'organisation.manage'),
		exportQuery: filterQueryOf(input, NAMES)
	};
}) satisfies PageServerLoad;
