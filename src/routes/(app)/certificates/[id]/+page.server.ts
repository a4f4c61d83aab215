import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import {
	certificateTimeline,
	getCertificate,
	listCertificateEvaluations
} from '$lib/server/services/certificates';
import { Refusal } from '$lib/server/errors';
import { translate } from '$lib/server/i18n/translate';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const load: PageServerLoad = async ({ locals, params, url }) => {
	const actor = requireActor(locals);
	if (!UUID.test(params.id)) error(404, translate('error_not_found', locals.locale));
	const { db } = await runtimeApp();
	try {
		const certificate = await getCertificate(db, actor, params.id);
		const evaluations = await listCertificateEvaluations(db, actor, params.id);
		const timeline = await certificateTimeline(db, actor, params.id);
		return {
			certificate,
			evaluations,
			timeline,
			canEdit: actor.role === 'admin' || actor.role === 'evaluator',
			canDecide: actor.role === 'decision_maker',
			isStaff: actor.role !== 'org_admin' && actor.role !== 'org_member',
			saved: url.searchParams.get('saved')
		};
	} catch (cause) {
		if (cause instanceof Refusal) error(404, translate(cause.messageKey, locals.locale));
		throw cause;
	}
};
