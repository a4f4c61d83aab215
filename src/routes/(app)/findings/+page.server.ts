import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { pageLoad } from '$lib/server/pages';
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
import { organisationName, searchOrganisations } from '$lib/server/services/organisations';
import type { AppDatabase } from '$lib/server/db/tenant-scope';
import type { Actor } from '$lib/server/actor';
import { FINDING_QUERY } from '$lib/server/http/list-names';
import { filterQueryOf } from '$lib/server/http/list-query';

/** The organisation field's text, as the filter form sends it (the name typed, without script). */
const ORGANISATION_TEXT = 'orgname';

/**
 * The organisation the filter is set to. A link names it by id; the form sends the text typed
 * and, when a suggestion was picked, its id. The text wins: blank clears the filter, a text
 * that is not the chosen one's name is looked up (an exact name, or the one organisation that
 * holds it); a text several hold sets nothing and offers them.
 */
async function organisationOf(
	db: AppDatabase,
	actor: Actor,
	id: string | undefined,
	typed: string | null
) {
	const named = id ? await organisationName(db, actor, id) : null;
	const selected = id && named !== null ? { id, name: named } : null;
	const text = typed?.trim();
	if (text === undefined || (selected && selected.name === text))
		return { selected, matches: [], unresolved: '' };
	if (text === '') return { selected: null, matches: [], unresolved: '' };
	const found = await searchOrganisations(db, actor, text.slice(0, 100));
	const exact = found.find((o) => o.legal_name.toLowerCase() === text.toLowerCase());
	const only = exact ?? (found.length === 1 ? found[0] : undefined);
	return only
		? { selected: { id: only.id, name: only.legal_name }, matches: [], unresolved: '' }
		: { selected: null, matches: found, unresolved: text };
}

/**
 * The filter of a list URL through the list's own schema. A hand-edited value that is not one the
 * list offers is left out, rather than failing the page.
 */
function filterOf(params: URLSearchParams) {
	const raw: Record<string, string> = {};
	for (const [field, name] of Object.entries(FINDING_QUERY)) {
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

export const load = pageLoad('finding.list', async ({ db, actor, event: { url } }) => {
	const params = url.searchParams;
	const { cursor: after, ...parsed } = filterOf(params);
	const organisation = await organisationOf(
		db,
		actor,
		parsed.organisationId,
		params.get(ORGANISATION_TEXT)
	);
	const filter: FindingFilter = {
		...parsed,
		organisationId: organisation.selected?.id,
		sort: parsed.sort ?? 'raised'
	};
	const cursor = after ?? null;

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
	const choices = await findingFilterChoices(db, actor, filter.evaluationId, filter.clauseId);

	// The links keep every filter: the first page drops the cursor, the next one replaces it.
	const link = (after: string | null) => {
		const target = new URLSearchParams(params);
		target.delete('after');
		// The resolved organisation travels by id, so a next page does not look the name up again.
		target.delete(ORGANISATION_TEXT);
		if (filter.organisationId) target.set('organisation', filter.organisationId);
		else target.delete('organisation');
		if (after) target.set('after', after);
		const query = target.toString();
		return query ? `/findings?${query}` : '/findings';
	};
	const withoutEvaluation = new URLSearchParams(params);
	withoutEvaluation.delete('evaluation');
	withoutEvaluation.delete('after');
	// The filters the figures' bars set and the form has no field for, each removable by a link.
	const without = (...names: string[]) => {
		const target = new URLSearchParams(params);
		for (const name of [...names, 'after']) target.delete(name);
		return `/findings${target.size ? `?${target}` : ''}`;
	};
	// Each organisation that the typed text matches, as a link that sets the filter to it.
	const withOrganisation = (id: string) => {
		const target = new URLSearchParams(params);
		for (const name of ['after', ORGANISATION_TEXT]) target.delete(name);
		target.set('organisation', id);
		return `/findings?${target}`;
	};

	// Page data only what the rows render (issue 9: the page stays light): the ids the rows do not
	// link to stay on the server.
	// eslint-disable-next-line @typescript-eslint/no-unused-vars
	const rows = page.rows.map(({ organisation_id, standard_id, ...shown }) => shown);
	return {
		page: { ...page, rows },
		filter: {
			status: filter.status ?? '',
			grade: filter.grade ?? '',
			kind: filter.kind ?? '',
			standard: filter.standardId ?? '',
			organisation: filter.organisationId ?? '',
			evaluation: filter.evaluationId ?? '',
			clause: filter.clauseId ?? '',
			overdue: filter.overdue ?? false,
			unclosed: filter.unclosed ?? false,
			dueFrom: filter.dueFrom ?? '',
			dueTo: filter.dueTo ?? '',
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
			filter.clauseId ||
			filter.overdue ||
			filter.unclosed ||
			filter.dueFrom ||
			filter.dueTo ||
			filter.search
		),
		firstPage: cursor ? link(null) : null,
		nextPage: page.next ? link(page.next) : null,
		withoutEvaluation: `/findings${withoutEvaluation.size ? `?${withoutEvaluation}` : ''}`,
		withoutClause: without('clause'),
		withoutUnclosed: without('unclosed'),
		withoutDue: without('due_from', 'due_to'),
		choices,
		organisation: organisation.selected,
		organisationMatches: organisation.matches.map((o) => ({
			name: o.legal_name,
			href: withOrganisation(o.id)
		})),
		organisationTyped: organisation.unresolved,
		statuses: FINDING_STATUSES,
		grades: NONCONFORMITY_GRADES,
		kinds: FINDING_KINDS,
		sorts: FINDING_SORTS,
		pageSize: FINDING_PAGE_SIZE,
		// The filter in force, the organisation by the id it resolved to.
		exportQuery: filterQueryOf(filter, FINDING_QUERY)
	};
}) satisfies PageServerLoad;
