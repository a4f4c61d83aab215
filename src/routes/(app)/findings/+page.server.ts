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
	type FindingFilter,
	type FindingSort
} from '$lib/server/services/findings';
import { FINDING_STATUSES } from '$lib/server/domain/finding-lifecycle';
import { Refusal } from '$lib/server/errors';
import type { FindingKind, FindingStatus, NonconformityGrade } from '../../../../db/schema';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A query parameter if it is one of `allowed`. */
function oneOf<T extends string>(value: string | null, allowed: readonly T[]): T | undefined {
	return value !== null && (allowed as readonly string[]).includes(value)
		? (value as T)
		: undefined;
}

function uuidParam(value: string | null): string | undefined {
	return value && UUID.test(value) ? value : undefined;
}

export const load: PageServerLoad = async ({ locals, url }) => {
	const actor = requireActor(locals, 'admin', 'evaluator', 'decision_maker');
	const params = url.searchParams;
	const filter: FindingFilter = {
		status: oneOf<FindingStatus>(params.get('status'), FINDING_STATUSES),
		grade: oneOf<NonconformityGrade>(params.get('grade'), NONCONFORMITY_GRADES),
		kind: oneOf<FindingKind>(params.get('kind'), FINDING_KINDS),
		standardId: uuidParam(params.get('standard')),
		organisationId: uuidParam(params.get('organisation')),
		evaluationId: uuidParam(params.get('evaluation')),
		overdue: params.get('overdue') === '1' || undefined,
		search: params.get('q')?.trim().slice(0, 200) || undefined,
		sort: oneOf<FindingSort>(params.get('sort'), FINDING_SORTS) ?? 'raised'
	};
	const cursor = params.get('after');
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
