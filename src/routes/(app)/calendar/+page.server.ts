import type { Actions, PageServerLoad } from './$types';
import { formAction, pageLoad } from '$lib/server/pages';
import { mayEver } from '$lib/server/domain/permissions';
import { monthGrid, monthOf, shiftMonth } from '$lib/server/domain/calendar-events';
import {
	calendarEvaluators,
	calendarEvents,
	calendarKinds,
	calendarToday
} from '$lib/server/services/calendar';
import {
	calendarFeedStatus,
	createCalendarFeed,
	revokeCalendarFeed
} from '$lib/server/services/calendar-feed';
import { calendarFeedInput, calendarPageInput } from '$lib/server/services/calendar.schema';
import { organisationName, searchOrganisations } from '$lib/server/services/organisations';
import type { AppDatabase } from '$lib/server/db/tenant-scope';
import type { Actor } from '$lib/server/actor';

/** The query string's names for the page's fields. */
const QUERY_NAMES = {
	view: 'view',
	month: 'month',
	organisationId: 'organisation',
	evaluatorId: 'evaluator'
} as const;
/** The organisation field's text, as the filter form sends it without script. */
const ORGANISATION_TEXT = 'orgname';

/** The address's fields through the page's schema; a hand-edited bad value is left out. */
function inputOf(params: URLSearchParams) {
	const raw: Record<string, string> = {};
	for (const [field, name] of Object.entries(QUERY_NAMES)) {
		const value = params.get(name);
		if (value) raw[field] = value;
	}
	for (;;) {
		const parsed = calendarPageInput.safeParse(raw);
		if (parsed.success) return parsed.data;
		const wrong = parsed.error.issues.map((issue) => String(issue.path[0])).filter((f) => f in raw);
		if (wrong.length === 0) return {};
		for (const field of wrong) delete raw[field];
	}
}

/**
 * The organisation the filter is set to: by id from a link or a picked suggestion, else by the
 * name typed (an exact name, or the one organisation holding the text), as the findings list.
 */
async function organisationOf(
	db: AppDatabase,
	actor: Actor,
	id: string | undefined,
	typed: string | null
) {
	const text = typed?.trim();
	if (id) {
		const name = await organisationName(db, actor, id);
		if (name !== null && (text === undefined || text === name))
			return { selected: { id, name }, typed: '' };
	}
	if (!text) return { selected: null, typed: '' };
	const found = await searchOrganisations(db, actor, text.slice(0, 100));
	const exact = found.find((o) => o.legal_name.toLowerCase() === text.toLowerCase());
	const only = exact ?? (found.length === 1 ? found[0] : undefined);
	return only
		? { selected: { id: only.id, name: only.legal_name }, typed: '' }
		: { selected: null, typed: text };
}

export const load = pageLoad('calendar.read', async ({ db, actor, event: { url } }) => {
	const params = url.searchParams;
	const input = inputOf(params);
	const filters = mayEver(actor, 'calendar.filter');
	const organisation = filters
		? await organisationOf(db, actor, input.organisationId, params.get(ORGANISATION_TEXT))
		: { selected: null, typed: '' };
	const evaluatorId = filters ? input.evaluatorId : undefined;

	const today = calendarToday(actor);
	const month = input.month ?? monthOf(today);
	const grid = monthGrid(month);
	const [events, evaluators, feed] = await Promise.all([
		calendarEvents(db, actor, {
			from: grid.from,
			to: grid.to,
			organisationId: organisation.selected?.id,
			evaluatorId
		}),
		calendarEvaluators(db, actor),
		calendarFeedStatus(db, actor)
	]);

	// Every link keeps the view and the filters; each changes one thing.
	const link = (changes: Record<string, string | null>) => {
		const target = new URLSearchParams();
		if (input.view) target.set('view', input.view);
		target.set('month', month);
		if (organisation.selected) target.set('organisation', organisation.selected.id);
		if (evaluatorId) target.set('evaluator', evaluatorId);
		for (const [name, value] of Object.entries(changes))
			if (value === null) target.delete(name);
			else target.set(name, value);
		return `/calendar?${target}`;
	};

	return {
		today,
		month,
		view: input.view ?? null,
		weeks: grid.weeks,
		kinds: calendarKinds(actor),
		events: events.map(({ id: _id, ...event }) => ({ ...event, key: `${event.kind}-${_id}` })),
		links: {
			previous: link({ month: shiftMonth(month, -1) }),
			next: link({ month: shiftMonth(month, 1) }),
			thisMonth: link({ month: monthOf(today) }),
			month: link({ view: 'month' }),
			agenda: link({ view: 'agenda' }),
			clear: `/calendar?${new URLSearchParams({ ...(input.view ? { view: input.view } : {}), month })}`
		},
		filters,
		filter: { evaluator: evaluatorId ?? '' },
		organisation: organisation.selected,
		organisationTyped: organisation.typed,
		evaluators,
		filtered: Boolean(organisation.selected || evaluatorId),
		feed: { live: feed.live ? feed.live.createdAt.toISOString() : null }
	};
}) satisfies PageServerLoad;

export const actions: Actions = {
	createFeed: formAction(
		'calendar.feed',
		calendarFeedInput,
		async ({ db, actor, event }) => {
			const created = await createCalendarFeed(db, actor);
			return { form: 'feed', feedUrl: `${event.url.origin}${created.path}` };
		},
		{ form: 'feed' }
	),
	revokeFeed: formAction(
		'calendar.feed',
		calendarFeedInput,
		async ({ db, actor }) => ({ form: 'feed', ...(await revokeCalendarFeed(db, actor)) }),
		{ form: 'feed' }
	)
};
