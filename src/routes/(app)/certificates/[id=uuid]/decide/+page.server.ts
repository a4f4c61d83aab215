import { error, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { formAction, pageLoad } from '$lib/server/pages';
import { translate } from '$lib/server/i18n/translate';
import { getDecisionOptions, takeDecision } from '$lib/server/services/decisions';
import { decisionOptionsSchema, takeDecisionSchema } from '$lib/server/services/decisions.schema';
import { getCertificateFlags } from '$lib/server/services/certificate-flags';
import { can } from '$lib/server/domain/permissions';

export const load = pageLoad(
	'certificate.decide',
	async ({ db, actor, event: { locals, params, url } }) => {
		// A malformed id finds nothing, like an unknown one.
		const input = decisionOptionsSchema.safeParse({ certificateId: params.id });
		if (!input.success) error(404, translate('error_not_found', locals.locale));
		return {
			options: await getDecisionOptions(db, actor, input.data.certificateId),
			// The decision a link asked for (the certificate page's "Restore" / "Withdraw").
			askedKind: url.searchParams.get('kind'),
			// Why the chase flagged the certificate, above the decision it calls for.
			flags: can(actor, 'certificate.flags')
				? await getCertificateFlags(db, actor, input.data.certificateId)
				: null
		};
	}
) satisfies PageServerLoad;

export const actions: Actions = {
	decide: formAction(
		'certificate.decide',
		takeDecisionSchema,
		async ({ db, actor, input, event }) => {
			await takeDecision(db, actor, input);
			redirect(303, `/certificates/${event.params.id}?saved=decided`);
		},
		{ idAs: 'certificateId' }
	)
};
