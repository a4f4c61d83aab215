import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import {
	createGradeScale,
	gradeScaleInput,
	listGradeScales,
	listStandards
} from '$lib/server/services/catalogue';
import { invalid, refused } from '../forms.server';
import { readGradeScaleForm } from './grade-scale-form.server';

export const load: PageServerLoad = async ({ locals, url }) => {
	const actor = requireActor(locals, 'admin');
	const { db } = await runtimeApp();
	const [scales, standards] = await Promise.all([
		listGradeScales(db, actor),
		listStandards(db, actor)
	]);
	return {
		created: url.searchParams.has('created'),
		scales: scales.map((scale) => ({
			...scale,
			standards: standards
				.filter((standard) => standard.grade_scale_id === scale.id)
				.map((standard) => ({ id: standard.id, code: standard.code }))
		}))
	};
};

export const actions: Actions = {
	create: async ({ locals, request }) => {
		const actor = requireActor(locals, 'admin');
		const { raw, input } = readGradeScaleForm(await request.formData());
		const parsed = gradeScaleInput.safeParse(input);
		if (!parsed.success) return invalid(raw, parsed.error, locals.locale);
		try {
			await createGradeScale((await runtimeApp()).db, actor, parsed.data);
		} catch (cause) {
			return refused(cause, raw, locals.locale);
		}
		redirect(303, '/catalogue/grade-scales?created=1');
	}
};
