import { error, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { formAction, pageLoad } from '$lib/server/pages';
import { translate } from '$lib/server/i18n/translate';
import { getGrantOptions, grantCertificate } from '$lib/server/services/grant';
import { gradeProposal } from '$lib/server/services/scoring';
import { grantCertificateSchema, grantOptionsSchema } from '$lib/server/services/grant.schema';

export const load = pageLoad(
	'certificate.decide',
	async ({ db, actor, event: { locals, params } }) => {
		// A malformed id finds nothing, like an unknown one.
		const input = grantOptionsSchema.safeParse({ evaluationId: params.id });
		if (!input.success) error(404, translate('error_not_found', locals.locale));
		const options = await getGrantOptions(db, actor, input.data.evaluationId);
		// The grade the evaluation's scores give (issue 12 item 2), preselected on the form.
		const proposal = await gradeProposal(db, actor, input.data.evaluationId);
		return {
			options,
			proposal,
			/** Why nobody may grant this evaluation, in the reader's language. */
			refusal: options.refusal ? translate(options.refusal, locals.locale) : null
		};
	}
) satisfies PageServerLoad;

export const actions: Actions = {
	grant: formAction(
		'certificate.decide',
		grantCertificateSchema,
		async ({ db, actor, input }) => {
			const granted = await grantCertificate(db, actor, input);
			redirect(303, `/certificates/${granted.certificateId}?saved=granted`);
		},
		{ idAs: 'evaluationId' }
	)
};
