import type { AppDatabase, Tx } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import { lifecycleSide, mayEver } from '../domain/permissions';
import { todayInZone, type IsoDate } from '../domain/calendar';
import {
	CALENDAR_EVENT_KINDS,
	sortEvents,
	type CalendarEvent,
	type CalendarEventKind
} from '../domain/calendar-events';
import {
	DEFAULT_SCHEME_RULES,
	nextSurveillanceDue,
	schemeRulesFromRow
} from '../domain/scheme-rules';
import * as repo from '../repositories/calendar';
import { listTeamCandidates } from '../repositories/evaluations';
import { authorize } from './authorize';
import { REPORT_ISSUED } from './finding-access';
import type { CalendarEventsInput } from './calendar.schema';

/*
 * The calendar (issue 11 item 3): evaluations' planned windows, surveillance due dates,
 * certificate expiries, nonconformity deadlines and obligation due dates between two days, as
 * the actor may open them. The page, the tRPC query and the iCalendar feed all read this.
 */

export type CalendarFilter = Pick<CalendarEventsInput, 'organisationId' | 'evaluatorId'>;

/** What the actor's filter becomes: an organisation's users always see their own, unfiltered. */
function effectiveFilter(actor: Actor, filter: CalendarFilter) {
	if (!mayEver(actor, 'dashboard.allOrganisations'))
		return { organisationId: actor.organisationId, evaluatorId: null };
	if (!mayEver(actor, 'calendar.filter')) return { organisationId: null, evaluatorId: null };
	return {
		organisationId: filter.organisationId ?? null,
		evaluatorId: filter.evaluatorId ?? null
	};
}

/** Which kinds of date the actor may open (each kind's own page's capability). */
function visibleKinds(actor: Actor) {
	const organisationSide = lifecycleSide(actor.role) === 'organisation';
	return {
		evaluation: mayEver(actor, 'evaluation.read'),
		certificate: mayEver(actor, 'certificate.list'),
		nonconformity: mayEver(actor, 'finding.list') || organisationSide,
		obligation: mayEver(actor, 'obligation.view') || mayEver(actor, 'obligation.fulfil')
	};
}

/** The kinds of date the actor's calendar can hold (what its legend lists). */
export function calendarKinds(actor: Actor): CalendarEventKind[] {
	const kinds = visibleKinds(actor);
	return CALENDAR_EVENT_KINDS.filter((kind) =>
		kind === 'surveillance' || kind === 'certificate_expiry' ? kinds.certificate : kinds[kind]
	);
}

/** The events between `from` and `to` (both included), in one transaction. */
export async function readEvents(
	tx: Tx,
	actor: Actor,
	range: { from: IsoDate; to: IsoDate },
	filter: CalendarFilter
): Promise<CalendarEvent[]> {
	const q = { ...range, ...effectiveFilter(actor, filter) };
	const kinds = visibleKinds(actor);
	// The finding pages' rule: an organisation opens a finding once its report is issued.
	const visibleStatuses = lifecycleSide(actor.role) === 'organisation' ? REPORT_ISSUED : null;
	const none = Promise.resolve([]);
	// Asked together: on PostgreSQL they travel in one round trip (db/pipelined-driver.ts).
	const [evaluations, findings, expiries, surveilled, obligations] = await Promise.all([
		kinds.evaluation ? repo.evaluationsInRange(tx, q) : none,
		kinds.nonconformity ? repo.nonconformityDeadlinesInRange(tx, q, visibleStatuses) : none,
		kinds.certificate ? repo.certificateExpiriesInRange(tx, q) : none,
		kinds.certificate ? repo.surveilledCertificates(tx, q) : none,
		kinds.obligation ? repo.obligationItemsInRange(tx, q) : none
	]);
	const events: CalendarEvent[] = [];
	for (const e of evaluations)
		events.push({
			kind: 'evaluation',
			id: e.id,
			start: e.window_start,
			end: e.window_end,
			subject: e.reference ?? e.standard_code,
			organisationName: e.organisation_name,
			href: `/evaluations/${e.id}`,
			detail: e.kind
		});
	for (const f of findings)
		events.push({
			kind: 'nonconformity',
			id: f.id,
			start: f.due_on!,
			end: f.due_on!,
			subject: f.reference,
			organisationName: f.organisation_name,
			href: `/findings/${f.id}`,
			detail: f.grade
		});
	for (const c of expiries)
		events.push({
			kind: 'certificate_expiry',
			id: c.id,
			start: c.expires_on,
			end: c.expires_on,
			subject: c.number,
			organisationName: c.organisation_name,
			href: `/certificates/${c.id}`,
			detail: null
		});
	for (const c of surveilled) {
		const rules =
			c.certificate_validity_months === null
				? DEFAULT_SCHEME_RULES
				: schemeRulesFromRow(c as Parameters<typeof schemeRulesFromRow>[0]);
		const due = nextSurveillanceDue(
			{ issuedOn: c.issued_on, decidedOn: c.decided_on, renewedOn: c.renewed_on },
			c.last_surveillance_ended_on,
			rules
		);
		if (due < range.from || due > range.to) continue;
		events.push({
			kind: 'surveillance',
			id: c.id,
			start: due,
			end: due,
			subject: c.number,
			organisationName: c.organisation_name,
			href: `/certificates/${c.id}`,
			detail: null
		});
	}
	for (const o of obligations)
		events.push({
			kind: 'obligation',
			id: o.id,
			start: o.due_on,
			end: o.due_on,
			subject: o.title_zh,
			subjectEn: o.title_en || o.title_zh,
			organisationName: o.organisation_name,
			href: '/obligations',
			detail: o.status
		});
	return sortEvents(events);
}

/** The calendar's events for a range (the page and tRPC `calendar.events`). */
export function calendarEvents(
	db: AppDatabase,
	actor: Actor,
	input: CalendarEventsInput
): Promise<CalendarEvent[]> {
	authorize(actor, 'calendar.read');
	return db.inTenant(scopeOf(actor), (tx) =>
		readEvents(tx, actor, { from: input.from, to: input.to }, input)
	);
}

/** The evaluator filter's choices (the body's staff only; none for an organisation). */
export function calendarEvaluators(db: AppDatabase, actor: Actor) {
	authorize(actor, 'calendar.read');
	if (!mayEver(actor, 'calendar.filter')) return Promise.resolve([]);
	return db.inTenant(scopeOf(actor), async (tx) =>
		(await listTeamCandidates(tx)).map((person) => ({ id: person.id, name: person.name }))
	);
}

/** Today in the tenant's zone: where the calendar opens. */
export function calendarToday(actor: Actor, now = new Date()): IsoDate {
	return todayInZone(now, actor.tenant.timeZone);
}
