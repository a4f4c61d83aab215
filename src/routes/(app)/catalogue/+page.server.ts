import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import {
	createStandard,
	listGradeScales,
	listStandards,
	standardInput
} from '$lib/server/services/catalogue';
import { invalid, refused } from './forms.server';
import { readStandardForm } from './standard-form.server';

export const load: PageServerLoad = async ({ locals }) => {
	const actor = requireActor(locals, 'admin', 'evaluator', 'decision_maker');
	const { db } = await runtimeApp();
	const isAdmin = actor.role === 'admin';
	const [standards, gradeScales] = await Promise.all([
		listStandards(db, actor),
		isAdmin ? listGradeScales(db, actor) : Promise.resolve([])
	]);
	return {
		isAdmin,
		standards,
		gradeScales: gradeScales.map((scale) => ({
			id: scale.id,
			name_zh: scale.name_zh,
			name_en: scale.name_en
		}))
	};
};

export const actions: Actions = {
	create: async ({ locals, request }) => {
		const actor = requireActor(locals, 'admin');
		const values = readStandardForm(await request.formData());
		const parsed = standardInput.safeParse(values.input);
		if (!parsed.success) return invalid(values.raw, parsed.error, locals.locale);
		let id: string;
		try {
			id = (await createStandard((await runtimeApp()).db, actor, parsed.data)).id;
		} catch (cause) {
			return refused(cause, values.raw, locals.locale);
		}
		redirect(303, `/catalogue/${id}?created=1`);
	}
};
