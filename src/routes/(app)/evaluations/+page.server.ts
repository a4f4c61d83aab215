import type { PageServerLoad } from './$types';
import { pageLoad } from '$lib/server/pages';
import { can } from '$lib/server/domain/permissions';
import { listEvaluations } from '$lib/server/services/evaluations';
import {
	EVALUATION_KINDS,
	EVALUATION_STATUSES,
	listEvaluationsSchema
} from '$lib/server/services/evaluations.schema';

export const load = pageLoad('evaluation.read', async ({ db, actor, event: { url } }) => {
	// A filter the list does not know (an old or edited link) shows everything.
	const parsed = listEvaluationsSchema.safeParse(Object.fromEntries(url.searchParams));
	const filter = parsed.success ? parsed.data : {};
	const evaluations = await listEvaluations(db, actor, filter);
	return {
		evaluations,
		status: filter.status ?? '',
		kind: filter.kind ?? '',
		statuses: EVALUATION_STATUSES,
		kinds: EVALUATION_KINDS,
		mayPlan: can(actor, 'evaluation.plan')
	};
}) satisfies PageServerLoad;
