import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { Refusal } from '$lib/server/errors';
import { translate } from '$lib/server/i18n/translate';
import { getGradeScale, gradeScaleInput, updateGradeScale } from '$lib/server/services/catalogue';
import { invalid, refused, UUID } from '../../forms.server';
import { readGradeScaleForm } from '../grade-scale-form.server';

export const load: PageServerLoad = async ({ locals, params }) => {
	const actor = requireActor(locals, 'admin');
	if (!UUID.test(params.id)) error(404, translate('error_not_found', locals.locale));
	try {
		return { scale: await getGradeScale((await runtimeApp()).db, actor, params.id) };
	} catch (cause) {
		if (cause instanceof Refusal) error(404, translate(cause.messageKey, locals.locale));
		throw cause;
	}
};

export const actions: Actions = {
	save: async ({ locals, params, request }) => {
		const actor = requireActor(locals, 'admin');
		const { raw, input } = readGradeScaleForm(await request.formData());
		const parsed = gradeScaleInput.safeParse(input);
		if (!parsed.success) return invalid(raw, parsed.error, locals.locale);
		try {
			await updateGradeScale((await runtimeApp()).db, actor, params.id, parsed.data);
		} catch (cause) {
			return refused(cause, raw, locals.locale);
		}
		return { saved: true };
	}
};
