import type { PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import {
	EVALUATION_KINDS,
	EVALUATION_STATUSES,
	listEvaluations
} from '$lib/server/services/evaluations';
import type { EvaluationKind, EvaluationStatus } from '../../../../db/schema';

export const load: PageServerLoad = async ({ locals, url }) => {
	const actor = requireActor(locals, 'admin', 'evaluator', 'decision_maker');
	const status = url.searchParams.get('status') as EvaluationStatus | null;
	const kind = url.searchParams.get('kind') as EvaluationKind | null;
	const filter = {
		status: status && EVALUATION_STATUSES.includes(status) ? status : undefined,
		kind: kind && EVALUATION_KINDS.includes(kind) ? kind : undefined
	};
	const evaluations = await listEvaluations((await runtimeApp()).db, actor, filter);
	return {
		evaluations,
		status: filter.status ?? '',
		kind: filter.kind ?? '',
		statuses: EVALUATION_STATUSES,
		kinds: EVALUATION_KINDS,
		mayPlan: actor.role === 'admin' || actor.role === 'evaluator'
	};
};
