import { error, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { loadOrRefuse, submitForm } from '$lib/server/forms';
import { translate } from '$lib/server/i18n/translate';
import { getDecisionOptions, takeDecision } from '$lib/server/services/decisions';
import { decisionOptionsSchema, takeDecisionSchema } from '$lib/server/services/decisions.schema';
import { getCertificateFlags } from '$lib/server/services/certificate-flags';
import { can } from '$lib/server/domain/permissions';

export const load: PageServerLoad = async ({ locals, params }) => {
	const actor = requireActor(locals, 'certificate.decide');
	const { db } = await runtimeApp();
	// A malformed id finds nothing, like an unknown one.
	const input = decisionOptionsSchema.safeParse({ certificateId: params.id });
	if (!input.success) error(404, translate('error_not_found', locals.locale));
	return loadOrRefuse(locals.locale, async () => ({
		options: await getDecisionOptions(db, actor, input.data.certificateId),
		// Why the chase flagged the certificate, above the decision it calls for.
		flags: can(actor, 'certificate.flags')
			? await getCertificateFlags(db, actor, input.data.certificateId)
			: null
	}));
};

export const actions: Actions = {
	decide: async ({ locals, params, request }) => {
		const actor = requireActor(locals, 'certificate.decide');
		const { db } = await runtimeApp();
		const result = await submitForm(
			request,
			locals.locale,
			takeDecisionSchema,
			(input) => takeDecision(db, actor, input),
			{ extra: { certificateId: params.id } }
		);
		if ('decisionId' in result) redirect(303, `/certificates/${params.id}?saved=decided`);
		return result;
	}
};
