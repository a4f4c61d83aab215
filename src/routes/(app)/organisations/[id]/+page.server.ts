import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { getOrganisation } from '$lib/server/services/organisations';
import { listCertificates } from '$lib/server/services/certificates';
import { Refusal } from '$lib/server/errors';
import { translate } from '$lib/server/i18n/translate';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const load: PageServerLoad = async ({ locals, params }) => {
	const actor = requireActor(locals);
	if (!UUID.test(params.id)) error(404, translate('error_not_found', locals.locale));
	const { db } = await runtimeApp();
	try {
		const organisation = await getOrganisation(db, actor, params.id);
		const certificates = await listCertificates(db, actor, { organisationId: organisation.id });
		return { organisation, certificates };
	} catch (cause) {
		if (cause instanceof Refusal) error(404, translate(cause.messageKey, locals.locale));
		throw cause;
	}
};
