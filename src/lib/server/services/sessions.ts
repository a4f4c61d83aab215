import { actAsPerson, type AppDatabase } from '../db/tenant-scope';
import type { Actor } from '../actor';
import type { Locale } from '../../../../db/schema';
import {
	generateSessionToken,
	hashSecret,
	parseSessionToken,
	renewedExpiry,
	secretMatches
} from '../auth/token';
import * as sessions from '../repositories/sessions';
import { setUserLocale } from '../repositories/users';
import { countUnreadNotifications } from '../repositories/notifications';
import {
	countOwnMemberships,
	findActingMembership,
	listOwnMemberships
} from '../repositories/memberships';

export interface SignedInPerson {
	sessionId: string;
	userId: string;
	email: string;
	name: string;
	locale: Locale | null;
	expiresAt: Date;
	/** The tenant the session acts in, or null until one is chosen. */
	tenantId: string | null;
}

export interface SessionPolicy {
	lifetimeMs: number;
}

export function sessionPolicy(days: number): SessionPolicy {
	return { lifetimeMs: days * 24 * 60 * 60 * 1000 };
}

export async function createSession(
	db: AppDatabase,
	userId: string,
	policy: SessionPolicy,
	now = new Date()
) {
	const { id, secret, token } = generateSessionToken();
	const expiresAt = new Date(now.getTime() + policy.lifetimeMs);
	await db.asPerson(userId, (tx) =>
		sessions.insertSession(tx, { id, secretHash: hashSecret(secret), userId, expiresAt })
	);
	return { token, expiresAt };
}

/**
 * The person behind a session token, or null for a malformed, unknown, wrong-secret or expired
 * one. Extends the expiry when the session is past half its life (sliding expiry), and counts the
 * person's memberships in the same transaction (the page header offers switching from it).
 */
export async function validateSessionToken(
	db: AppDatabase,
	token: string,
	policy: SessionPolicy,
	now = new Date()
): Promise<(SignedInPerson & { membershipCount: number }) | null> {
	const parsed = parseSessionToken(token);
	if (!parsed) return null;
	return db.asPerson(null, async (tx) => {
		const row = await sessions.findSession(tx, parsed.id);
		if (!row || !secretMatches(parsed.secret, row.secret_hash)) return null;
		if (row.expires_at.getTime() <= now.getTime()) {
			await sessions.deleteSession(tx, row.id);
			return null;
		}
		const renewed = renewedExpiry(row.expires_at, now, policy.lifetimeMs);
		if (renewed) await sessions.setSessionExpiry(tx, row.id, renewed);
		await actAsPerson(tx, row.user_id);
		const membershipCount = await countOwnMemberships(tx, row.user_id);
		return {
			membershipCount,
			sessionId: row.id,
			userId: row.user_id,
			email: row.email,
			name: row.name,
			locale: row.locale,
			expiresAt: renewed ?? row.expires_at,
			tenantId: row.tenant_id
		};
	});
}

export async function invalidateSession(db: AppDatabase, sessionId: string) {
	await db.asPerson(null, (tx) => sessions.deleteSession(tx, sessionId));
}

export function listTenantsOf(db: AppDatabase, userId: string) {
	return db.asPerson(userId, (tx) => listOwnMemberships(tx, userId));
}

/** Makes the session act in `tenantId`; false when the person holds no membership there. */
export async function chooseTenant(db: AppDatabase, person: SignedInPerson, tenantId: string) {
	const memberships = await listTenantsOf(db, person.userId);
	if (!memberships.some((m) => m.tenant_id === tenantId)) return false;
	await db.asPerson(person.userId, (tx) =>
		sessions.setSessionTenant(tx, person.sessionId, tenantId)
	);
	return true;
}

/** The acting identity in the session's tenant, or null if the membership is gone. */
export async function resolveActor(db: AppDatabase, person: SignedInPerson): Promise<Actor | null> {
	return (await resolveActing(db, person)).actor;
}

/**
 * The acting member and the count of their unread notifications (the header's bell), read in
 * the one transaction that resolves the membership: a page load pays for no second one.
 */
export async function resolveActing(
	db: AppDatabase,
	person: SignedInPerson
): Promise<{ actor: Actor | null; unreadNotifications: number }> {
	if (!person.tenantId) return { actor: null, unreadNotifications: 0 };
	const found = await db.inTenant(
		{ tenantId: person.tenantId, userId: person.userId },
		async (tx) => {
			// Asked together: on PostgreSQL both travel in one round trip (db/pipelined-driver.ts).
			const [row, unread] = await Promise.all([
				findActingMembership(tx, person.userId),
				countUnreadNotifications(tx, person.userId)
			]);
			return row ? { row, unread } : null;
		}
	);
	if (!found) return { actor: null, unreadNotifications: 0 };
	const { row, unread } = found;
	return {
		actor: {
			userId: person.userId,
			email: person.email,
			name: person.name,
			tenantId: row.tenant_id,
			role: row.role,
			organisationId: row.organisation_id,
			organisationName: row.organisation_name,
			tenant: {
				slug: row.tenant_slug,
				name: row.tenant_name,
				defaultLocale: row.tenant_locale,
				timeZone: row.tenant_time_zone
			}
		},
		unreadNotifications: unread
	};
}

/** The person's explicit language choice, kept for their next visit from any browser. */
export async function rememberLocale(db: AppDatabase, userId: string, locale: Locale) {
	await db.asPerson(userId, (tx) => setUserLocale(tx, userId, locale));
}
