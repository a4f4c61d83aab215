import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { mayEver } from '$lib/server/domain/permissions';
import { listMyActions } from '$lib/server/services/my-actions';

export const load: PageServerLoad = async ({ locals }) => {
	const actor = requireActor(locals);
	// "My actions" is the organisation's page; the body works from the findings list.
	if (!mayEver(actor, 'myActions.read')) redirect(303, '/findings');
	const { db } = await runtimeApp();
	return {
		actions: await listMyActions(db, actor),
		organisationName: actor.organisationName ?? ''
	};
};
