import { createHash, randomBytes } from 'node:crypto';
import { noteOutboxRows, type AppDatabase, type Tx } from '../db/tenant-scope';
import type { SignInLimiter } from '../auth/rate-limit';
import { DECOY_SALT, hashPassword, passwordDigest } from '../auth/password';
import {
	changeOwnPassword as changeStoredPassword,
	findLivePasswordResetUser,
	findPasswordSalt,
	findUserByEmail,
	insertPasswordResetToken,
	usePasswordResetToken
} from '../repositories/users';
import { findHomeTenant } from '../repositories/memberships';
import { resolvedMessage, tenantMailContext, writeMessages } from '../mail/outbox';
import { badInput, Refusal } from '../errors';
import { auditAs } from './audit-entry';

/*
 * Issue 12 item 7: a person resets a forgotten password by email, and changes their own.
 *
 * The reset link carries a random token; only its SHA-256 is stored, it is good for one use
 * within an hour, and using it ends every session of the person (whoever knew the old password
 * is signed out). The request is answered the same whether or not the address has an account,
 * and is counted like sign-in attempts (per address and pair). A password belongs to the person,
 * not to one body: the email comes from, and the change is audited in, their "home" body — the
 * first they joined that still has them (else the first that invited them); with neither there
 * is nothing to sign in to and no email is sent.
 */

/** How long a reset link works. */
export const RESET_TOKEN_LIFETIME_MS = 60 * 60 * 1000;

/** 32 random bytes, URL-safe: the part of the link only the email holds. */
export function newResetToken(): string {
	return randomBytes(32).toString('base64url');
}

const RESET_TOKEN = /^[A-Za-z0-9_-]{43}$/;

function tokenHash(token: string): Uint8Array | null {
	if (!RESET_TOKEN.test(token)) return null;
	return new Uint8Array(createHash('sha256').update(token).digest());
}

export type Throttled = { ok: false; reason: 'throttled'; retryAfterSeconds: number };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The limiter's verdict on one more attempt: throttled, or go on after its delay. */
async function admitted(
	limiter: SignInLimiter,
	key: string,
	address: string
): Promise<Throttled | null> {
	const verdict = await limiter.reserve(key, address);
	if (verdict.kind === 'refuse')
		return { ok: false, reason: 'throttled', retryAfterSeconds: verdict.retryAfterSeconds };
	if (verdict.delayMs > 0) await sleep(verdict.delayMs);
	return null;
}

/**
 * "I forgot my password": emails a reset link when the address has an account, through the
 * outbox of the person's home body, in the transaction that records the token. The same answer
 * either way. `token` is for tests (the email holds it otherwise).
 */
export async function requestPasswordReset(
	deps: { db: AppDatabase; limiter: SignInLimiter },
	input: { email: string; address: string },
	now: Date = new Date()
): Promise<{ ok: true } | Throttled> {
	const throttled = await admitted(deps.limiter, `reset:${input.email}`, input.address);
	if (throttled) return throttled;
	const user = await deps.db.asPerson(null, (tx) => findUserByEmail(tx, input.email));
	if (!user) return { ok: true };
	const home = await deps.db.asPerson(user.id, (tx) => findHomeTenant(tx, user.id));
	if (!home) return { ok: true };
	const token = newResetToken();
	const hash = tokenHash(token)!;
	await deps.db.inTenant({ tenantId: home, userId: user.id }, async (tx) => {
		await insertPasswordResetToken(tx, {
			userId: user.id,
			tokenHash: hash,
			expiresAt: new Date(now.getTime() + RESET_TOKEN_LIFETIME_MS)
		});
		const context = await tenantMailContext(tx, home);
		const outbox = await writeMessages(tx, context, [
			resolvedMessage(
				'person.password_reset',
				{ minutes: RESET_TOKEN_LIFETIME_MS / 60_000 },
				{
					// No in-app notification: the link is for the mailbox only.
					recipients: [
						{
							email: user.email,
							name: user.name,
							userId: null,
							locale: user.locale,
							mailMode: 'immediate'
						}
					],
					link: `/reset-password/${token}`,
					dedupeKey: `password-reset:${Buffer.from(hash).toString('hex')}`
				}
			)
		]);
		noteOutboxRows(tx, outbox);
		await auditAs(
			tx,
			{ tenantId: home, userId: user.id },
			'person.password_reset_request',
			'user',
			user.id,
			{
				after: { expiresAt: new Date(now.getTime() + RESET_TOKEN_LIFETIME_MS).toISOString() }
			}
		);
	});
	return { ok: true };
}

/** Whether a reset link still works (the page shows the form, or says it has expired). */
export async function resetLinkIsLive(db: AppDatabase, token: string, now: Date = new Date()) {
	const hash = tokenHash(token);
	if (!hash) return false;
	return (await db.asPerson(null, (tx) => findLivePasswordResetUser(tx, hash, now))) !== null;
}

/**
 * Sets the new password through a live link, once. Works signed out; a wrong, used or expired
 * token changes nothing. Every session of the person ends, and the change is audited in their
 * home body in the same transaction.
 */
export async function completePasswordReset(
	deps: { db: AppDatabase; limiter: SignInLimiter },
	input: { token: string; password: string; address: string },
	now: Date = new Date()
): Promise<{ ok: true } | { ok: false; reason: 'invalid' } | Throttled> {
	const throttled = await admitted(deps.limiter, 'reset-link', input.address);
	if (throttled) return throttled;
	const hash = tokenHash(input.token);
	const userId = hash
		? await deps.db.asPerson(null, (tx) => findLivePasswordResetUser(tx, hash, now))
		: null;
	if (!hash || !userId) return { ok: false, reason: 'invalid' };
	const passwordHash = await hashPassword(input.password);
	const home = await deps.db.asPerson(userId, (tx) => findHomeTenant(tx, userId));
	const use = async (tx: Tx) => {
		const used = await usePasswordResetToken(tx, hash, passwordHash, now);
		if (used && home)
			await auditAs(tx, { tenantId: home, userId: used }, 'person.password_reset', 'user', used);
		return used;
	};
	// Two uses at once: the token's row lock lets one through; the other finds it used.
	const used = home
		? await deps.db.inTenant({ tenantId: home, userId }, use)
		: await deps.db.asPerson(userId, use);
	if (!used) return { ok: false, reason: 'invalid' };
	await deps.limiter.recordSuccess('reset-link', input.address);
	return { ok: true };
}

/**
 * The signed-in person's new password, given their current one (checked by the database, counted
 * like sign-in). The person's other sessions end; this one stays. Audited in the body the session
 * acts in, else their home body.
 */
export async function changeOwnPassword(
	deps: { db: AppDatabase; limiter: SignInLimiter },
	person: { userId: string; email: string; sessionId: string; tenantId: string | null },
	input: { current: string; password: string; address: string }
): Promise<void> {
	const throttled = await admitted(deps.limiter, person.email, input.address);
	if (throttled)
		throw new Refusal('FORBIDDEN', 'login_throttled', {
			minutes: Math.ceil(throttled.retryAfterSeconds / 60)
		});
	const salted =
		(await deps.db.asPerson(null, (tx) => findPasswordSalt(tx, person.email))) ?? DECOY_SALT;
	const digest = await passwordDigest(salted.salt, salted.digest_length, input.current);
	const passwordHash = await hashPassword(input.password);
	const tenantId =
		person.tenantId ??
		(await deps.db.asPerson(person.userId, (tx) => findHomeTenant(tx, person.userId)));
	const change = async (tx: Tx) => {
		const result = await changeStoredPassword(tx, {
			email: person.email,
			currentDigest: digest ?? '',
			passwordHash,
			keepSessionId: person.sessionId
		});
		// The database deleted the person's other sessions with the change.
		if (result.changed && tenantId)
			await auditAs(
				tx,
				{ tenantId, userId: person.userId },
				'person.password_change',
				'user',
				person.userId
			);
		return result;
	};
	// The failed check is counted by the database: the transaction commits either way.
	const result = tenantId
		? await deps.db.inTenant({ tenantId, userId: person.userId }, change)
		: await deps.db.asPerson(person.userId, change);
	if (result.retryAfterSeconds > 0)
		throw new Refusal('FORBIDDEN', 'login_throttled', {
			minutes: Math.ceil(result.retryAfterSeconds / 60)
		});
	if (!result.changed) throw badInput('current', 'account_error_current_wrong');
	await deps.limiter.recordSuccess(person.email, input.address);
}
