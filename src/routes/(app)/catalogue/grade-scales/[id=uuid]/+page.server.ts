import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { loadOrRefuse } from '$lib/server/forms';
import { getGradeScale, updateGradeScale } from '$lib/server/services/grade-scales';
import { MAX_GRADE_LEVELS, updateGradeScaleInput } from '$lib/server/services/grade-scales.schema';
import { submitScaleForm } from '../scale-form.server';

export const load: PageServerLoad = async ({ locals, params }) => {
	const actor = requireActor(locals, 'catalogue.manage');
	const { db } = await runtimeApp();
	const scale = await loadOrRefuse(locals.locale, () => getGradeScale(db, actor, params.id));
	return { scale, maxLevels: MAX_GRADE_LEVELS };
};

export const actions: Actions = {
	save: async ({ locals, params, request }) => {
		const actor = requireActor(locals, 'catalogue.manage');
		const { db } = await runtimeApp();
		return submitScaleForm(
			request,
			locals.locale,
			updateGradeScaleInput,
			async ({ id, ...scale }) => {
				await updateGradeScale(db, actor, id, scale);
				return { saved: true };
			},
			{ id: params.id }
		);
	}
};
