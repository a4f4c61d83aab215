import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { can } from '$lib/server/domain/permissions';
import { formAction, pageLoad } from '$lib/server/pages';
import { createStandard, listStandards } from '$lib/server/services/standards';
import { listGradeScales } from '$lib/server/services/grade-scales';
import { createStandardInput } from '$lib/server/services/standards.schema';

export const load = pageLoad('catalogue.read', async ({ db, actor }) => {
	const canManage = can(actor, 'catalogue.manage');
	const [standards, gradeScales] = await Promise.all([
		listStandards(db, actor),
		canManage ? listGradeScales(db, actor) : Promise.resolve([])
	]);
	return {
		canManage,
		standards,
		gradeScales: gradeScales.map((scale) => ({
			id: scale.id,
			name_zh: scale.name_zh,
			name_en: scale.name_en
		}))
	};
}) satisfies PageServerLoad;

export const actions: Actions = {
	create: formAction('catalogue.manage', createStandardInput, async ({ db, actor, input }) => {
		const { id } = await createStandard(db, actor, input);
		redirect(303, `/catalogue/${id}?created=1`);
	})
};
