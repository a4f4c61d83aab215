import { error, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { getCertificate, updateCertificate } from '$lib/server/services/certificates';
import { Refusal } from '$lib/server/errors';
import { translate } from '$lib/server/i18n/translate';
import { CORRECTION_FIELDS, correctionForm } from '../../certificate-form';
import { formValues, invalidInput, refused } from '../../../organisations/form-failure';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const load: PageServerLoad = async ({ locals, params }) => {
	const actor = requireActor(locals, 'admin', 'evaluator');
	if (!UUID.test(params.id)) error(404, translate('error_not_found', locals.locale));
	try {
		const certificate = await getCertificate((await runtimeApp()).db, actor, params.id);
		return {
			certificate: {
				id: certificate.id,
				number: certificate.number,
				scope: certificate.scope,
				issuedOn: certificate.issued_on,
				decidedOn: certificate.decided_on,
				expiresOn: certificate.expires_on,
				version: certificate.version,
				standardId: certificate.standard_id,
				standardCode: certificate.standard_code,
				organisationName: certificate.organisation_name
			}
		};
	} catch (cause) {
		if (cause instanceof Refusal) error(404, translate(cause.messageKey, locals.locale));
		throw cause;
	}
};

export const actions: Actions = {
	default: async ({ locals, request, params }) => {
		const actor = requireActor(locals, 'admin', 'evaluator');
		if (!UUID.test(params.id)) error(404, translate('error_not_found', locals.locale));
		const values = formValues(await request.formData(), CORRECTION_FIELDS);
		const parsed = correctionForm.safeParse(values);
		if (!parsed.success) return invalidInput(parsed.error, locals.locale, values);
		try {
			await updateCertificate(
				(await runtimeApp()).db,
				actor,
				params.id,
				parsed.data.version,
				parsed.data
			);
		} catch (cause) {
			return refused(cause, locals.locale, values);
		}
		redirect(303, `/certificates/${params.id}?saved=updated`);
	}
};
