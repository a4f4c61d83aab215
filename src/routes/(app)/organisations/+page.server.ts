import type { PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { can } from '$lib/server/domain/permissions';
import { listOrganisationPage } from '$lib/server/services/organisations';
import {
	ORGANISATION_SORTS,
	listOrganisationsInput
} from '$lib/server/services/organisations.schema';
import { listInputOf, listLinks, pageOrFirst } from '$lib/server/http/list-query';

const NAMES = { search: 'q', sort: 'sort', cursor: 'after' };

export const load: PageServerLoad = async ({ locals, url }) => {
	const actor = requireActor(locals, 'organisation.list');
	const input = listInputOf(listOrganisationsInput, url.searchParams, NAMES);
	const { db } = await runtimeApp();
	const page = await pageOrFirst(url, NAMES.cursor, () => listOrganisationPage(db, actor, input));
	return {
		page,
		...listLinks(url, NAMES.cursor, page.next, [NAMES.sort]),
		q: input.search ?? '',
		sort: input.sort ?? 'name',
		filtered: Boolean(input.search),
		sorts: ORGANISATION_SORTS,
		canCreate: can(actor, 'organisation.manage')
	};
};
