import { createHash, randomBytes } from 'node:crypto';
import ical from 'ical-generator';
import type { AppDatabase } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import type { Locale } from '../../../../db/schema';
import { mayEver } from '../domain/permissions';
import { addDays, todayInZone } from '../domain/calendar';
import { eventUid, type CalendarEvent } from '../domain/calendar-events';
import * as repo from '../repositories/calendar';
import * as users from '../repositories/users';
import { translate } from '../i18n/translate';
import { authorize } from './authorize';
import { auditAs } from './audit-entry';
import { readEvents } from './calendar';
import { resolveActor } from './sessions';

/*
 * A person's iCalendar feed (issue 11 item 3): a secret URL that Outlook, 钉钉 or a phone
 * subscribes to without signing in. The URL carries 32 random bytes; the database keeps only
 * their SHA-256, so neither a copy of the table nor its readers can open the feed. One live URL
 * per person and tenant: a new one revokes the old; revoked or unknown, the feed is not found.
 */

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The days a feed carries: two months back (what is overdue) and a year ahead. */
const FEED_DAYS_BACK = 60;
const FEED_DAYS_AHEAD = 365;
/** How often a calendar should fetch it again (REFRESH-INTERVAL, X-PUBLISHED-TTL). */
export const FEED_REFRESH_SECONDS = 3600;

function hashOf(token: string): Buffer {
	return createHash('sha256').update(token, 'utf8').digest();
}

export const feedPath = (token: string) => `/calendar/feed/${token}.ics`;

/** Whether the actor has a live feed, and since when (the URL itself is never shown again). */
export function calendarFeedStatus(db: AppDatabase, actor: Actor) {
	authorize(actor, 'calendar.feed');
	return db.inTenant(scopeOf(actor), async (tx) => {
		const live = await repo.findLiveFeed(tx, actor.userId);
		return { live: live ? { createdAt: live.created_at } : null };
	});
}

/** A new secret URL (the old one, if any, stops working); the token is answered once. */
export function createCalendarFeed(db: AppDatabase, actor: Actor, now = new Date()) {
	authorize(actor, 'calendar.feed');
	const token = randomBytes(32).toString('base64url');
	return db.inTenant(scopeOf(actor), async (tx) => {
		for (const old of await repo.revokeLiveFeeds(tx, actor.userId, now))
			await auditAs(tx, actor, 'calendar_feed.revoke', 'calendar_feed', old.id, {
				after: { revoked_at: now.toISOString() }
			});
		const feed = await repo.insertFeed(tx, {
			tenantId: actor.tenantId,
			userId: actor.userId,
			tokenHash: hashOf(token),
			createdAt: now
		});
		// The token stays out of the audit log: it opens the feed.
		await auditAs(tx, actor, 'calendar_feed.create', 'calendar_feed', feed.id, {
			after: { user_id: actor.userId }
		});
		return { token, path: feedPath(token), createdAt: feed.created_at };
	});
}

/** Revokes the actor's live URL; answers whether there was one. */
export function revokeCalendarFeed(db: AppDatabase, actor: Actor, now = new Date()) {
	authorize(actor, 'calendar.feed');
	return db.inTenant(scopeOf(actor), async (tx) => {
		const revoked = await repo.revokeLiveFeeds(tx, actor.userId, now);
		for (const feed of revoked)
			await auditAs(tx, actor, 'calendar_feed.revoke', 'calendar_feed', feed.id, {
				after: { revoked_at: now.toISOString() }
			});
		return { revoked: revoked.length > 0 };
	});
}

/** The person a live token belongs to, acting in its tenant; null for anything else. */
async function feedOwner(db: AppDatabase, token: string) {
	if (!TOKEN.test(token)) return null;
	const owner = await db.asPerson(null, async (tx) => {
		const found = await repo.findFeedOwner(tx, hashOf(token));
		if (!found) return null;
		const person = await users.findUserById(tx, found.user_id);
		return person
			? { ...found, email: person.email, name: person.name, locale: person.locale }
			: null;
	});
	if (!owner) return null;
	const actor = await resolveActor(db, {
		sessionId: 'calendar-feed',
		userId: owner.user_id,
		email: owner.email,
		name: owner.name,
		locale: owner.locale,
		expiresAt: new Date(Date.now() + 60_000),
		tenantId: owner.tenant_id
	});
	if (!actor || !mayEver(actor, 'calendar.feed')) return null;
	return { actor, locale: owner.locale ?? actor.tenant.defaultLocale };
}

/** An event's title in `locale`: what it is, what it names, whose it is. */
export function eventSummary(event: CalendarEvent, locale: Locale): string {
	const kind = translate(`calendar_kind_${event.kind}`, locale);
	const subject = locale === 'en' && event.subjectEn ? event.subjectEn : event.subject;
	return `${kind}: ${subject} · ${event.organisationName}`;
}

/**
 * The feed of `token` as iCalendar text, or null when the token is unknown or revoked (or its
 * person no longer a member). `origin` is the site's public URL, for the events' links.
 */
export async function calendarFeed(
	db: AppDatabase,
	token: string,
	origin: string,
	now = new Date()
): Promise<string | null> {
	const owner = await feedOwner(db, token);
	if (!owner) return null;
	const { actor, locale } = owner;
	const today = todayInZone(now, actor.tenant.timeZone);
	const range = { from: addDays(today, -FEED_DAYS_BACK), to: addDays(today, FEED_DAYS_AHEAD) };
	const filter = mayEver(actor, 'calendar.feedOwnWork') ? { evaluatorId: actor.userId } : {};
	const events = await db.inTenant(scopeOf(actor), (tx) => readEvents(tx, actor, range, filter));
	const host = new URL(origin).host;
	const calendar = ical({
		name: translate('calendar_feed_name', locale, { tenant: actor.tenant.name }),
		prodId: { company: 'CertTrack', product: 'Calendar', language: locale === 'en' ? 'EN' : 'ZH' },
		ttl: FEED_REFRESH_SECONDS,
		url: `${origin}/calendar`
	});
	calendar.x('X-WR-TIMEZONE', actor.tenant.timeZone);
	for (const event of events)
		calendar.createEvent({
			id: eventUid(event, host),
			allDay: true,
			// Dates as UTC midnights: an all-day event is written as its day (VALUE=DATE).
			start: new Date(`${event.start}T00:00:00Z`),
			// DTEND of an all-day event is the day after its last (RFC 5545 §3.6.1).
			end: new Date(`${addDays(event.end, 1)}T00:00:00Z`),
			stamp: now,
			summary: eventSummary(event, locale),
			url: `${origin}${event.href}`
		});
	return calendar.toString();
}
