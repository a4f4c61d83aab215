import type { PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { can } from '$lib/server/domain/permissions';
import { listEvaluations } from '$lib/server/services/evaluations';
import {
	EVALUATION_KINDS,
	EVALUATION_SORTS,
	EVALUATION_STATUSES,
	listEvaluationsSchema
} from '$lib/server/services/evaluations.schema';
import { listInputOf, listLinks, pageOrFirst } from '$lib/server/http/list-query';

const NAMES = { status: 'status', kind: 'kind', search: 'q', sort: 'sort', cursor: 'after' };

export const load: PageServerLoad = async ({ locals, url }) => {
	const actor = requireActor(locals, 'evaluation.read');
	const input = listInputOf(listEvaluationsSchema, url.searchParams, NAMES);
	const { db } = await runtimeApp();
	const page = await pageOrFirst(url, NAMES.cursor, () => listEvaluations(db, actor, input));
	return {
		page,
		...listLinks(url, NAMES.cursor, page.next, [NAMES.sort]),
		status: input.status ?? '',
		kind: input.kind ?? '',
		q: input.search ?? '',
		sort: input.sort ?? 'window',
		filtered: Boolean(input.status || input.kind || input.search),
		statuses: EVALUATION_STATUSES,
		kinds: EVALUATION_KINDS,
		sorts: EVALUATION_SORTS,
		mayPlan: can(actor, 'evaluation.plan')
	};
};
