import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { callerFor, testApp } from '../support/factories';
import { DECEMBER, newCalendarWorld, type CalendarWorld } from '../support/calendar-factories';
import { calendarEvents } from '../../src/lib/server/services/calendar';
import type { CalendarEvent } from '../../src/lib/server/domain/calendar-events';
import type { Actor } from '../../src/lib/server/actor';

/*
 * Issue 11 item 3: the calendar's dates per kind within a range, as each person may open them
 * (an organisation its own, and its nonconformities only once the report is issued, as the
 * finding pages), filtered by organisation and evaluator; another tenant's never.
 */

const keys = (events: CalendarEvent[]) =>
	events.map((event) => `${event.kind}:${event.id}:${event.start}`).sort();

describe.each(DIALECTS)('calendar events (%s)', (kind) => {
	let t: TestDatabase;
	let w: CalendarWorld;
	let other: CalendarWorld;

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		w = await newCalendarWorld(t);
		other = await newCalendarWorld(t);
	}, 120_000);

	afterAll(async () => {
		await t?.drop();
	});

	const events = (actor: Actor, filter: { organisationId?: string; evaluatorId?: string } = {}) =>
		calendarEvents(t.db, actor, { ...DECEMBER, ...filter });

	it("gives the body's staff every kind of date in the range, and nothing outside it", async () => {
		const { ids } = w;
		expect(keys(await events(w.admin))).toEqual(
			[
				`evaluation:${ids.evA}:2026-12-10`,
				`evaluation:${ids.evB}:2026-11-29`,
				`nonconformity:${ids.fA1}:2026-12-05`,
				`nonconformity:${ids.fA2}:2026-12-09`,
				`nonconformity:${ids.fB1}:2026-12-08`,
				`certificate_expiry:${ids.cA}:2026-12-28`,
				`certificate_expiry:${ids.cB}:2026-12-15`,
				`surveillance:${ids.cA}:2026-12-20`,
				`obligation:${ids.itemA}:2026-12-02`
			].sort()
		);
		// A narrower range keeps only what falls in it (an evaluation by any day of its window).
		const firstWeek = await calendarEvents(t.db, w.admin, { from: '2026-11-30', to: '2026-12-06' });
		expect(keys(firstWeek)).toEqual(
			[
				`evaluation:${ids.evB}:2026-11-29`,
				`nonconformity:${ids.fA1}:2026-12-05`,
				`obligation:${ids.itemA}:2026-12-02`
			].sort()
		);
	});

	it('gives each event its page, its days and what names it', async () => {
		const all = await events(w.admin);
		const byKey = new Map(all.map((event) => [`${event.kind}:${event.id}`, event]));
		expect(byKey.get(`evaluation:${w.ids.evA}`)).toMatchObject({
			start: '2026-12-10',
			end: '2026-12-11',
			href: `/evaluations/${w.ids.evA}`,
			detail: 'surveillance'
		});
		expect(byKey.get(`evaluation:${w.ids.evB}`)).toMatchObject({
			start: '2026-11-29',
			end: '2026-11-30'
		});
		expect(byKey.get(`nonconformity:${w.ids.fA1}`)).toMatchObject({
			href: `/findings/${w.ids.fA1}`,
			detail: 'minor'
		});
		expect(byKey.get(`surveillance:${w.ids.cA}`)?.href).toBe(`/certificates/${w.ids.cA}`);
		expect(byKey.get(`obligation:${w.ids.itemA}`)).toMatchObject({
			subject: '每月派工单记录',
			subjectEn: 'Monthly work-order records',
			href: '/obligations'
		});
		// Sorted by first day.
		const starts = all.map((event) => event.start);
		expect(starts).toEqual([...starts].sort());
	});

	it('shows an organisation its own dates only, and only released nonconformities', async () => {
		const { ids } = w;
		const expected = [
			`nonconformity:${ids.fA1}:2026-12-05`,
			`certificate_expiry:${ids.cA}:2026-12-28`,
			`surveillance:${ids.cA}:2026-12-20`,
			`obligation:${ids.itemA}:2026-12-02`
		].sort();
		expect(keys(await events(w.orgAdminA))).toEqual(expected);
		// Its filter cannot reach another organisation nor narrow to an evaluator.
		expect(
			keys(await events(w.orgAdminA, { organisationId: w.orgB, evaluatorId: w.e2.userId }))
		).toEqual(expected);
	});

	it('filters by organisation', async () => {
		const { ids } = w;
		expect(keys(await events(w.admin, { organisationId: w.orgB }))).toEqual(
			[
				`evaluation:${ids.evB}:2026-11-29`,
				`nonconformity:${ids.fB1}:2026-12-08`,
				`certificate_expiry:${ids.cB}:2026-12-15`
			].sort()
		);
	});

	it('filters by evaluator: their evaluations and the dates of the work they were on', async () => {
		const { ids } = w;
		expect(keys(await events(w.admin, { evaluatorId: w.e1.userId }))).toEqual(
			[
				`evaluation:${ids.evA}:2026-12-10`,
				`nonconformity:${ids.fA1}:2026-12-05`,
				`certificate_expiry:${ids.cA}:2026-12-28`,
				`surveillance:${ids.cA}:2026-12-20`,
				`obligation:${ids.itemA}:2026-12-02`
			].sort()
		);
		expect(keys(await events(w.e2, { evaluatorId: w.e2.userId, organisationId: w.orgB }))).toEqual(
			[
				`evaluation:${ids.evB}:2026-11-29`,
				`nonconformity:${ids.fB1}:2026-12-08`,
				`certificate_expiry:${ids.cB}:2026-12-15`
			].sort()
		);
	});

	it("never shows another tenant's dates, even filtered by its ids", async () => {
		const mine = new Set((await events(w.admin)).map((event) => event.id));
		const theirs = await events(other.admin);
		expect(theirs.length).toBe(9);
		for (const event of theirs) expect(mine.has(event.id)).toBe(false);
		expect(await events(w.admin, { organisationId: other.orgA })).toEqual([]);
		expect(await events(w.admin, { evaluatorId: other.e1.userId })).toEqual([]);
	});

	it('answers the same over tRPC, and refuses a bad range with a clear message', async () => {
		const app = testApp(t);
		const caller = callerFor(app, w.admin);
		expect(keys(await caller.calendar.events(DECEMBER))).toEqual(keys(await events(w.admin)));
		await expect(
			caller.calendar.events({ from: '2026-12-31', to: '2026-12-01' })
		).rejects.toMatchObject({ code: 'BAD_REQUEST' });
		await expect(
			caller.calendar.events({ from: '2026-01-01', to: '2028-01-01' })
		).rejects.toMatchObject({ code: 'BAD_REQUEST' });
		await expect(
			caller.calendar.events({ ...DECEMBER, organisationId: 'not-an-id' })
		).rejects.toMatchObject({ code: 'BAD_REQUEST' });
		const orgCaller = callerFor(app, w.orgAdminA);
		expect((await orgCaller.calendar.events(DECEMBER)).length).toBe(4);
	});
});
