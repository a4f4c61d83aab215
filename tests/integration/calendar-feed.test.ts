import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import ical, { type VEvent } from 'node-ical';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { testApp } from '../support/factories';
import { newCalendarWorld, type CalendarWorld } from '../support/calendar-factories';
import type { App } from '../../src/lib/server/app';
import {
	calendarFeed,
	calendarFeedStatus,
	createCalendarFeed,
	revokeCalendarFeed
} from '../../src/lib/server/services/calendar-feed';
import { calendarEvents } from '../../src/lib/server/services/calendar';
import { eventUid } from '../../src/lib/server/domain/calendar-events';

/*
 * Issue 11 item 3: a person's iCalendar feed, made once (shown once), fetched by a calendar
 * without a session, parsed here by node-ical (a maintained iCalendar parser): all-day events on
 * the right days, stable UIDs, titles in the person's language, links to the items. Revoked or
 * unknown tokens are not found; the token itself is never stored.
 */

// The route handler reads the running App; here it is the test's.
const runtime = vi.hoisted(() => ({ app: null as App | null }));
vi.mock('$lib/server/runtime', () => ({ runtimeApp: async () => runtime.app }));
const { GET } = await import('../../src/routes/calendar/feed/[token].ics/+server');

const ORIGIN = 'https://certtrack.example.test';
const HOST = 'certtrack.example.test';
const NOW = new Date('2026-12-01T04:00:00Z');

/** node-ical reads a DATE value as local midnight of that day. */
const dayOf = (date: Date) =>
	`${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;

/** URL;VALUE=URI comes back with its parameter. */
const urlOf = (event: VEvent) => {
	const url = event.url as unknown;
	return typeof url === 'string' ? url : (url as { val: string }).val;
};

const vevents = (text: string) =>
	Object.values(ical.sync.parseICS(text)).filter(
		(component): component is VEvent => component?.type === 'VEVENT'
	);

/** What the route answers for `token`, as a calendar app would fetch it. */
async function fetchFeed(token: string) {
	const url = new URL(`${ORIGIN}/calendar/feed/${token}.ics`);
	try {
		return (await GET({ params: { token }, url } as never)) as Response;
	} catch (thrown) {
		// SvelteKit's error(404) is thrown as an HttpError.
		const status = (thrown as { status?: number }).status;
		if (typeof status === 'number') return new Response(null, { status });
		throw thrown;
	}
}

describe.each(DIALECTS)('calendar feed (%s)', (kind) => {
	let t: TestDatabase;
	let w: CalendarWorld;
	let other: CalendarWorld;

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		w = await newCalendarWorld(t);
		other = await newCalendarWorld(t);
		runtime.app = testApp(t);
	}, 120_000);

	afterAll(async () => {
		await t?.drop();
	});

	it('serves the dates as all-day events that node-ical reads back, with stable UIDs', async () => {
		const { token, path } = await createCalendarFeed(t.db, w.admin, NOW);
		expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(path).toBe(`/calendar/feed/${token}.ics`);

		const text = (await calendarFeed(t.db, token, ORIGIN, NOW))!;
		expect(text).toContain('X-WR-CALNAME:CertTrack · ');
		expect(text).toContain('REFRESH-INTERVAL;VALUE=DURATION:PT1H');
		const parsed = vevents(text);
		// The same dates as the calendar page over the feed's range (60 days back, a year ahead).
		const expected = await calendarEvents(t.db, w.admin, { from: '2026-10-02', to: '2027-12-01' });
		expect(parsed.map((event) => event.uid).sort()).toEqual(
			expected.map((event) => eventUid(event, HOST)).sort()
		);
		expect(parsed.length).toBe(10);

		const byUid = new Map(parsed.map((event) => [event.uid, event]));
		const finding = byUid.get(`nonconformity-${w.ids.fA1}-20261205@${HOST}`)!;
		expect(finding.start.dateOnly).toBe(true);
		expect(dayOf(finding.start)).toBe('2026-12-05');
		// DTEND of an all-day event is the next day (exclusive).
		expect(dayOf(finding.end!)).toBe('2026-12-06');
		expect(urlOf(finding)).toBe(`${ORIGIN}/findings/${w.ids.fA1}`);
		// The admin has no language of their own: the body's default, Chinese.
		expect(String(finding.summary)).toMatch(/^不符合项整改期限: 2026-S1-NC-/);

		const evaluation = byUid.get(`evaluation-${w.ids.evA}-20261210@${HOST}`)!;
		expect(dayOf(evaluation.start)).toBe('2026-12-10');
		expect(dayOf(evaluation.end!)).toBe('2026-12-12');
		expect(urlOf(evaluation)).toBe(`${ORIGIN}/evaluations/${w.ids.evA}`);
		const surveillance = byUid.get(`surveillance-${w.ids.cA}-20261220@${HOST}`)!;
		expect(urlOf(surveillance)).toBe(`${ORIGIN}/certificates/${w.ids.cA}`);

		// Fetched again, the same UIDs: a calendar updates its events instead of adding more.
		const again = vevents((await calendarFeed(t.db, token, ORIGIN, NOW))!);
		expect(again.map((event) => event.uid).sort()).toEqual(parsed.map((event) => event.uid).sort());
	});

	it('answers text/calendar through the route, and 404 for unknown or malformed tokens', async () => {
		const { token } = await createCalendarFeed(t.db, w.e2, NOW);
		const answer = await fetchFeed(token);
		expect(answer.status).toBe(200);
		expect(answer.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
		expect(answer.headers.get('cache-control')).toMatch(/^private/);
		expect(ical.sync.parseICS(await answer.text())).toBeTruthy();

		for (const unknown of [randomBytes(32).toString('base64url'), 'abc', `${token}x`, '..%2F'])
			expect((await fetchFeed(unknown)).status).toBe(404);
	});

	it('limits each address to 60 fetches a minute: then 429, Retry-After, in its language', async () => {
		const { token } = await createCalendarFeed(t.db, w.admin, NOW);
		const url = new URL(`${ORIGIN}/calendar/feed/${token}.ics`);
		const from = (address: string, locale: 'en' | 'zh-CN' = 'en') =>
			GET({
				params: { token },
				url,
				locals: { locale },
				getClientAddress: () => address
			} as never) as Promise<Response>;
		const address = `203.0.113.${Math.floor(Math.random() * 200) + 1}`;
		for (let i = 0; i < 60; i++) expect((await from(address)).status).toBe(200);
		const refused = await from(address);
		expect(refused.status).toBe(429);
		const wait = Number(refused.headers.get('retry-after'));
		expect(wait).toBeGreaterThan(0);
		expect(wait).toBeLessThanOrEqual(60);
		expect(await refused.text()).toMatch(
			/^Too many calendar feed requests from your address\. Try again in \d+ seconds?\.$/
		);
		const chinese = await from(address, 'zh-CN');
		expect(chinese.status).toBe(429);
		expect(await chinese.text()).toContain('日历订阅请求过于频繁');
		// Counted per address: another calendar is still served, and an unknown token is limited
		// like a known one (nobody walks tokens past the limit).
		expect((await from('198.51.100.77')).status).toBe(200);
		await expect(
			GET({
				params: { token: 'x'.repeat(43) },
				url,
				locals: { locale: 'en' },
				getClientAddress: () => address
			} as never)
		).resolves.toMatchObject({ status: 429 });
	});

	it("writes each summary in the person's language, and an evaluator's feed holds their own work", async () => {
		await t.owner
			.updateTable('users')
			.set({ locale: 'en' })
			.where('id', '=', w.e1.userId)
			.execute();
		const { token } = await createCalendarFeed(t.db, w.e1, NOW);
		const parsed = vevents((await calendarFeed(t.db, token, ORIGIN, NOW))!);
		const summaries = parsed.map((event) => String(event.summary));
		expect(summaries).toContain(
			`Obligation due: Monthly work-order records · ${await orgName(w.orgA)}`
		);
		expect(summaries.some((summary) => summary.startsWith('Nonconformity due: '))).toBe(true);
		const uids = parsed.map((event) => event.uid);
		// e2's nonconformity (of orgB's evaluation) is not e1's work.
		expect(uids).not.toContain(`nonconformity-${w.ids.fB1}-20261208@${HOST}`);
		expect(uids).toContain(`nonconformity-${w.ids.fA1}-20261205@${HOST}`);
	});

	it('shows an organisation only its own, released dates', async () => {
		const { token } = await createCalendarFeed(t.db, w.orgAdminA, NOW);
		const uids = vevents((await calendarFeed(t.db, token, ORIGIN, NOW))!).map((e) => e.uid);
		expect(uids).toContain(`nonconformity-${w.ids.fA1}-20261205@${HOST}`);
		expect(uids).not.toContain(`nonconformity-${w.ids.fA2}-20261209@${HOST}`);
		expect(uids.some((uid) => uid.startsWith('evaluation-'))).toBe(false);
		expect(uids.some((uid) => uid.includes(w.ids.cB))).toBe(false);
	});

	it('stops serving a revoked address, and a new address replaces the old one', async () => {
		const first = await createCalendarFeed(t.db, other.admin, NOW);
		expect((await fetchFeed(first.token)).status).toBe(200);
		const second = await createCalendarFeed(t.db, other.admin, NOW);
		expect((await fetchFeed(first.token)).status).toBe(404);
		expect((await fetchFeed(second.token)).status).toBe(200);
		expect((await calendarFeedStatus(t.db, other.admin)).live).not.toBeNull();

		expect(await revokeCalendarFeed(t.db, other.admin, NOW)).toEqual({ revoked: true });
		expect((await fetchFeed(second.token)).status).toBe(404);
		expect(await calendarFeed(t.db, second.token, ORIGIN, NOW)).toBeNull();
		expect((await calendarFeedStatus(t.db, other.admin)).live).toBeNull();
		expect(await revokeCalendarFeed(t.db, other.admin, NOW)).toEqual({ revoked: false });

		const audit = await t.owner
			.selectFrom('audit_log')
			.select(['action', 'after'])
			.where('tenant_id', '=', other.tenantId)
			.where('entity_type', '=', 'calendar_feed')
			.orderBy('seq')
			.execute();
		expect(audit.map((entry) => entry.action)).toEqual([
			'calendar_feed.create',
			'calendar_feed.revoke',
			'calendar_feed.create',
			'calendar_feed.revoke'
		]);
		// Neither token is in the log.
		const logged = JSON.stringify(audit);
		expect(logged).not.toContain(first.token);
		expect(logged).not.toContain(second.token);
	});

	it('stores only the SHA-256 of the token, and each person reads only their own feed', async () => {
		const { token } = await createCalendarFeed(t.db, w.orgAdminA, NOW);
		const rows = await t.owner.selectFrom('calendar_feeds').selectAll().execute();
		const digest = createHash('sha256').update(token).digest();
		const mine = rows.find((row) => Buffer.from(row.token_hash).equals(digest));
		expect(mine).toMatchObject({ user_id: w.orgAdminA.userId, revoked_at: null });
		const everything = JSON.stringify(
			rows.map((row) => ({ ...row, token_hash: Buffer.from(row.token_hash).toString('hex') }))
		);
		expect(everything).not.toContain(token);
		expect(everything).not.toContain(Buffer.from(token).toString('hex'));

		// Under RLS the tenant's admin sees only their own rows, another tenant's none.
		const seen = await t.db.inTenant({ tenantId: w.tenantId, userId: w.admin.userId }, (tx) =>
			tx.selectFrom('calendar_feeds').select(['user_id', 'tenant_id']).execute()
		);
		expect(seen.length).toBeGreaterThan(0);
		for (const row of seen) expect(row).toEqual({ user_id: w.admin.userId, tenant_id: w.tenantId });
	});

	async function orgName(id: string) {
		const row = await t.owner
			.selectFrom('organisations')
			.select('legal_name')
			.where('id', '=', id)
			.executeTakeFirstOrThrow();
		return row.legal_name;
	}
});
