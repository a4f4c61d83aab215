import { error, redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { requireActor } from '$lib/server/guards';
import { translate } from '$lib/server/i18n/translate';

/*
 * The navigation's "Service system" for an organisation's users: their own organisation's
 * (issue 12 item 5). The body's staff open one organisation's from its page.
 */
export const load: PageServerLoad = async ({ locals }) => {
	const actor = requireActor(locals, 'serviceSystem.measure');
	if (!actor.organisationId) error(404, translate('error_not_found', locals.locale));
	redirect(303, `/organisations/${actor.organisationId}/service`);
};
