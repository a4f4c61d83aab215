import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import {
	FINDING_KINDS,
	FINDING_PAGE_SIZE,
	FINDING_SORTS,
	NONCONFORMITY_GRADES,
	findingFilterChoices,
	listFindings,
	type FindingFilter
} from '$lib/server/services/findings';
import { findingListInput } from '$lib/server/services/findings.schema';
import { FINDING_STATUSES } from '$lib/server/domain/finding-lifecycle';
import { Refusal } from '$lib/server/errors';

/** The query string's names for the filter's fields. */
const QUERY_NAMES = {
	status: 'status',
	grade: 'grade',
	kind: 'kind',
	standardId: 'standard',
	organisationId: 'organisation',
	evaluationId: 'evaluation',
	overdue: 'overdue',
	search: 'q',
	sort: 'sort',
	cursor: 'after'
} as const;

/**
 * The filter of a list URL through the list's own schema. A hand-edited value that is not one the
 * list offers is left out, rather than failing the page.
 */
function filterOf(params: URLSearchParams) {
	const raw: Record<string, string> = {};
	for (const [field, name] of Object.entries(QUERY_NAMES)) {
		const value = params.get(name);
		if (value !== null) raw[field] = value;
	}
	for (;;) {
		const parsed = findingListInput.safeParse(raw);
		if (parsed.success) return parsed.data;
		const wrong = parsed.error.issues.map((issue) => String(issue.path[0])).filter((f) => f in raw);
		if (wrong.length === 0) return {};
		for (const field of wrong) delete raw[field];
	}
}

export const load: PageServerLoad = async ({ locals, url }) => {
	const actor = requireActor(locals, 'finding.list');
	const params = url.searchParams;
	const { cursor: after, ...parsed } = filterOf(params);
	const filter: FindingFilter = { ...parsed, sort: parsed.sort ?? 'raised' };
	const cursor = after ?? null;
	const { db } = await runtimeApp();

	let page;
	try {
		page = await listFindings(db, actor, filter, cursor);
	} catch (cause) {
		// A cursor from another sort or filter, or a mangled one: back to the first page.
		if (cause instanceof Refusal && cursor) {
			const first = new URL(url);
			first.searchParams.delete('after');
			redirect(303, first.pathname + first.search);
		}
		throw cause;
	}
	const choices = await findingFilterChoices(db, actor, filter.evaluationId);

	// The links keep every filter: the first page drops the cursor, the next one replaces it.
	const link = (after: string | null) => {
		const target = new URLSearchParams(params);
		target.delete('after');
		if (after) target.set('after', after);
		const query = target.toString();
		return query ? `/findings?${query}` : '/findings';
	};
	const withoutEvaluation = new URLSearchParams(params);
	withoutEvaluation.delete('evaluation');
	withoutEvaluation.delete('after');

	return {
		page,
		filter: {
			status: filter.status ?? '',
			grade: filter.grade ?? '',
			kind: filter.kind ?? '',
			standard: filter.standardId ?? '',
			organisation: filter.organisationId ?? '',
			evaluation: filter.evaluationId ?? '',
			overdue: filter.overdue ?? false,
			q: filter.search ?? '',
			sort: filter.sort ?? 'raised'
		},
		filtered: Boolean(
			filter.status ||
			filter.grade ||
			filter.kind ||
			filter.standardId ||
			filter.organisationId ||
			filter.evaluationId ||
			filter.overdue ||
			filter.search
		),
		firstPage: cursor ? link(null) : null,
		nextPage: page.next ? link(page.next) : null,
		withoutEvaluation: `/findings${withoutEvaluation.size ? `?${withoutEvaluation}` : ''}`,
		choices,
		statuses: FINDING_STATUSES,
		grades: NONCONFORMITY_GRADES,
		kinds: FINDING_KINDS,
		sorts: FINDING_SORTS,
		pageSize: FINDING_PAGE_SIZE
	};
};
