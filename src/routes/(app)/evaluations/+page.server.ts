import type { PageServerLoad } from './$types';
import { pageLoad } from '$lib/server/pages';
import { can } from '$lib/server/domain/permissions';
import { listEvaluations } from '$lib/server/services/evaluations';
import { organisationMaySee } from '$lib/server/services/finding-access';
import {
	EVALUATION_KINDS,
	EVALUATION_SORTS,
	EVALUATION_STATUSES,
	listEvaluationsSchema
} from '$lib/server/services/evaluations.schema';
import { filterQueryOf, loadListPage } from '$lib/server/http/list-query';
import { EVALUATION_QUERY as NAMES } from '$lib/server/http/list-names';

export const load = pageLoad('evaluation.view', async ({ db, actor, event: { url } }) => {
	const { input, page, links } = await loadListPage(url, listEvaluationsSchema, NAMES, (input) =>
		listEvaluations(db, actor, input)
	);
	const readOnly = !can(actor, 'evaluation.read');
	return {
		// An organisation counts its findings only once the report shows them (SPEC §3).
		page: readOnly
			? {
					...page,
					rows: page.rows.map((row) => ({
						...row,
						open_findings: organisationMaySee(row.status) ? row.open_findings : null
					}))
				}
			: page,
		...links,
		status: input.status ?? '',
		kind: input.kind ?? '',
		q: input.search ?? '',
		sort: input.sort ?? 'window',
		filtered: Boolean(input.status || input.kind || input.search),
		statuses: EVALUATION_STATUSES,
		kinds: EVALUATION_KINDS,
		sorts: EVALUATION_SORTS,
		mayPlan: can(actor, 'evaluation.plan'),
		/** The body's staff export the list; an organisation's users read theirs. */
		mayExport: can(actor, 'evaluation.read'),
		exportQuery: filterQueryOf(input, NAMES)
	};
}) satisfies PageServerLoad;
