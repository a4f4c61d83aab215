import type { PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { can } from '$lib/server/domain/permissions';
import { listOrganisations } from '$lib/server/services/organisations';
import { listOrganisationsInput } from '$lib/server/services/organisations.schema';

export const load: PageServerLoad = async ({ locals, url }) => {
	const actor = requireActor(locals, 'organisation.list');
	const parsed = listOrganisationsInput.safeParse({
		search: (url.searchParams.get('q') ?? '').slice(0, 100)
	});
	const search = parsed.success ? parsed.data.search : undefined;
	const organisations = await listOrganisations((await runtimeApp()).db, actor, search);
	return {
		search: search ?? '',
		canCreate: can(actor, 'organisation.manage'),
		organisations: organisations.map((o) => ({
			...o,
			certificate_count: Number(o.certificate_count)
		}))
	};
};
