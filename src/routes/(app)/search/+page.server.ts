import type { PageServerLoad } from './$types';
import { pageLoad } from '$lib/server/pages';
import { searchApp } from '$lib/server/services/app-search';
import { appSearchSchema } from '$lib/server/services/app-search.schema';

export const load = pageLoad('search.app', async ({ db, actor, event: { url } }) => {
	// A query the schema refuses (too long, NUL) searches for nothing rather than failing the page.
	const parsed = appSearchSchema.safeParse({ q: url.searchParams.get('q') ?? '' });
	return searchApp(db, actor, parsed.success ? parsed.data : { q: '' });
}) satisfies PageServerLoad;
