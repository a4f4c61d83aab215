import type { PageServerLoad } from './$types';
import { pageLoad } from '$lib/server/pages';
import { can } from '$lib/server/domain/permissions';
import { listOrganisations } from '$lib/server/services/organisations';
import { listOrganisationsInput } from '$lib/server/services/organisations.schema';

export const load = pageLoad('organisation.list', async ({ db, actor, event: { url } }) => {
	const parsed = listOrganisationsInput.safeParse({
		search: (url.searchParams.get('q') ?? '').slice(0, 100)
	});
	const search = parsed.success ? parsed.data.search : undefined;
	const organisations = await listOrganisations(db, actor, search);
	return {
		search: search ?? '',
		canCreate: can(actor, 'organisation.manage'),
		organisations: organisations.map((o) => ({
			...o,
			certificate_count: Number(o.certificate_count)
		}))
	};
}) satisfies PageServerLoad;
