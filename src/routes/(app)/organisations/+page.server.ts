import type { PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { listOrganisations } from '$lib/server/services/organisations';

export const load: PageServerLoad = async ({ locals, url }) => {
	const actor = requireActor(locals);
	const search = (url.searchParams.get('q') ?? '').trim().slice(0, 100);
	const organisations = await listOrganisations(
		(await runtimeApp()).db,
		actor,
		search || undefined
	);
	return {
		search,
		canCreate: actor.role === 'admin' || actor.role === 'evaluator',
		organisations: organisations.map((o) => ({
			...o,
			certificate_count: Number(o.certificate_count)
		}))
	};
};
