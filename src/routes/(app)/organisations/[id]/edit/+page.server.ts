import { error, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { getOrganisation, updateOrganisation } from '$lib/server/services/organisations';
import { Refusal } from '$lib/server/errors';
import { translate } from '$lib/server/i18n/translate';
import { organisationForm, ORGANISATION_FIELDS } from '../../organisation-form';
import { formValues, invalidInput, refused } from '../../form-failure';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const load: PageServerLoad = async ({ locals, params }) => {
	const actor = requireActor(locals, 'admin', 'evaluator');
	if (!UUID.test(params.id)) error(404, translate('error_not_found', locals.locale));
	try {
		const organisation = await getOrganisation((await runtimeApp()).db, actor, params.id);
		return {
			organisation: {
				id: organisation.id,
				legalName: organisation.legal_name,
				uscc: organisation.uscc,
				address: organisation.address,
				version: organisation.version
			}
		};
	} catch (cause) {
		if (cause instanceof Refusal) error(404, translate(cause.messageKey, locals.locale));
		throw cause;
	}
};

const editForm = organisationForm.extend({ version: z.coerce.number().int().positive() });

export const actions: Actions = {
	default: async ({ locals, request, params }) => {
		const actor = requireActor(locals, 'admin', 'evaluator');
		if (!UUID.test(params.id)) error(404, translate('error_not_found', locals.locale));
		const values = formValues(await request.formData(), [...ORGANISATION_FIELDS, 'version']);
		const parsed = editForm.safeParse(values);
		if (!parsed.success) return invalidInput(parsed.error, locals.locale, values);
		try {
			await updateOrganisation(
				(await runtimeApp()).db,
				actor,
				params.id,
				parsed.data.version,
				parsed.data
			);
		} catch (cause) {
			return refused(cause, locals.locale, values);
		}
		redirect(303, `/organisations/${params.id}?saved=updated`);
	}
};
