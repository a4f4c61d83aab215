import type { Actions, PageServerLoad } from './$types';
import { formAction, pageLoad } from '$lib/server/pages';
import { getScoringSheet, updateScoringSheet } from '$lib/server/services/scoring';
import { updateScoringSheetSchema } from '$lib/server/services/scoring.schema';

export const load = pageLoad('catalogue.manage', async ({ db, actor, event: { params } }) =>
	getScoringSheet(db, actor, params.id)
) satisfies PageServerLoad;

export const actions: Actions = {
	save: formAction(
		'catalogue.manage',
		updateScoringSheetSchema,
		async ({ db, actor, input }) => {
			await updateScoringSheet(db, actor, input);
			return { saved: true };
		},
		{ idAs: 'standardId' }
	)
};
