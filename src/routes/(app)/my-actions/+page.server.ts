import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { pageLoad } from '$lib/server/pages';
import { mayEver } from '$lib/server/domain/permissions';
import { listMyActions } from '$lib/server/services/my-actions';

export const load = pageLoad('member', async ({ db, actor }) => {
	// "My actions" is the organisation's page; the body works from the findings list.
	if (!mayEver(actor, 'myActions.read')) redirect(303, '/findings');
	return {
		actions: await listMyActions(db, actor),
		organisationName: actor.organisationName ?? ''
	};
}) satisfies PageServerLoad;
