import type { Actions, PageServerLoad } from './$types';
import { pageLoad } from '$lib/server/pages';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { getGradeScale, updateGradeScale } from '$lib/server/services/grade-scales';
import { MAX_GRADE_LEVELS, updateGradeScaleInput } from '$lib/server/services/grade-scales.schema';
import { submitScaleForm } from '../scale-form.server';

export const load = pageLoad('catalogue.manage', async ({ db, actor, event: { params } }) => {
	const scale = await getGradeScale(db, actor, params.id);
	return { scale, maxLevels: MAX_GRADE_LEVELS };
}) satisfies PageServerLoad;

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
