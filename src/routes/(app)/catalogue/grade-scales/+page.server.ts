import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { pageLoad } from '$lib/server/pages';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { listStandards } from '$lib/server/services/standards';
import { createGradeScale, listGradeScales } from '$lib/server/services/grade-scales';
import { gradeScaleInput, MAX_GRADE_LEVELS } from '$lib/server/services/grade-scales.schema';
import { submitScaleForm } from './scale-form.server';

export const load = pageLoad('catalogue.manage', async ({ db, actor, event: { url } }) => {
	const [scales, standards] = await Promise.all([
		listGradeScales(db, actor),
		listStandards(db, actor)
	]);
	return {
		created: url.searchParams.has('created'),
		maxLevels: MAX_GRADE_LEVELS,
		scales: scales.map((scale) => ({
			...scale,
			standards: standards
				.filter((standard) => standard.grade_scale_id === scale.id)
				.map((standard) => ({ id: standard.id, code: standard.code }))
		}))
	};
}) satisfies PageServerLoad;

export const actions: Actions = {
	create: async ({ locals, request }) => {
		const actor = requireActor(locals, 'catalogue.manage');
		const { db } = await runtimeApp();
		return submitScaleForm(request, locals.locale, gradeScaleInput, async (input) => {
			await createGradeScale(db, actor, input);
			redirect(303, '/catalogue/grade-scales?created=1');
		});
	}
};
