import { sql } from 'kysely';
import type { Tx } from '../db/tenant-scope';
import type { Locale } from '../../../../db/schema';

/*
 * The app role reads every column of `users` but `password_hash` (migration
 * 2026-12-02-11-database-roles): queries name their columns, never `selectAll()`.
 */
const USER_COLUMNS = ['id', 'email', 'name', 'locale', 'created_at'] as const;

/** Addresses compare lower-cased and trimmed, as the unique index on lower(email) does. */
function normalisedEmail(email: string): string {
	return email.trim().toLowerCase();
}

export function findUserByEmail(tx: Tx, email: string) {
	return tx
		.selectFrom('users')
		.select(USER_COLUMNS)
		.where((eb) => eb(eb.fn('lower', ['email']), '=', normalisedEmail(email)))
		.executeTakeFirst();
}

export function findUserById(tx: Tx, id: string) {
	return tx.selectFrom('users').select(USER_COLUMNS).where('id', '=', id).executeTakeFirst();
}

export function insertUser(
	tx: Tx,
	user: {
		email: string;
		name: string;
		passwordHash: string | null;
		locale?: Locale | null;
		createdAt?: Date;
	}
) {
	return tx
		.insertInto('users')
		.values({
			created_at: user.createdAt,
			email: user.email.trim(),
			name: user.name.trim(),
			password_hash: user.passwordHash,
			locale: user.locale ?? null
		})
		.returning(USER_COLUMNS)
		.executeTakeFirstOrThrow();
}

export async function setUserLocale(tx: Tx, id: string, locale: Locale) {
	await tx.updateTable('users').set({ locale }).where('id', '=', id).execute();
}

/**
 * What sign-in needs to hash a typed password the way the address's stored hash was made: the
 * hash's PHC string without its digest, and the digest's length (base64 characters). Undefined
 * for an unknown address or one without a password.
 */
export async function findPasswordSalt(tx: Tx, email: string) {
	const result = await sql<{
		salt: string;
		digest_length: number;
	}>`select salt, digest_length from app_password_salt(${normalisedEmail(email)})`.execute(tx);
	return result.rows[0];
}

/**
 * Whether `digest` is the stored one of `email`'s person, asked of the database, which counts the
 * failures per person (db/migrations/2026-12-03-06-password-check-throttle.ts): the person's id on
 * a match; null otherwise, with the seconds until it answers again when too many checks failed.
 * The hash stays in the database, and no caller of the app role can test guesses past that count.
 */
export async function checkPasswordDigest(
	tx: Tx,
	email: string,
	digest: string
): Promise<{ userId: string | null; retryAfterSeconds: number }> {
	const result = await sql<{
		matched_user: string | null;
		retry_after_seconds: number;
	}>`select matched_user, retry_after_seconds from app_password_check(${normalisedEmail(email)}, ${digest})`.execute(
		tx
	);
	const row = result.rows[0];
	return { userId: row?.matched_user ?? null, retryAfterSeconds: row?.retry_after_seconds ?? 0 };
}

/*
 * Password reset tokens (migration 2026-12-04-06-people): the app role has no privilege on the
 * table; each step is a SECURITY DEFINER function taking the token's SHA-256.
 */

export async function insertPasswordResetToken(
	tx: Tx,
	token: { userId: string; tokenHash: Uint8Array; expiresAt: Date }
) {
	await sql`select app_password_reset_insert(${token.userId}, ${token.tokenHash}, ${token.expiresAt})`.execute(
		tx
	);
}

/** The person of a live (unused, unexpired) token, or null. */
export async function findLivePasswordResetUser(
	tx: Tx,
	tokenHash: Uint8Array,
	now: Date
): Promise<string | null> {
	const result = await sql<{
		user_id: string | null;
	}>`select app_password_reset_live(${tokenHash}, ${now}) as user_id`.execute(tx);
	return result.rows[0]?.user_id ?? null;
}

/**
 * Uses a live token once: sets the new password hash, ends the person's other reset links and
 * every session of theirs. The person's id, or null when the token was not live.
 */
export async function usePasswordResetToken(
	tx: Tx,
	tokenHash: Uint8Array,
	passwordHash: string,
	now: Date
): Promise<string | null> {
	const result = await sql<{
		user_id: string | null;
	}>`select app_password_reset_use(${tokenHash}, ${passwordHash}, ${now}) as user_id`.execute(tx);
	return result.rows[0]?.user_id ?? null;
}

/**
 * The acting person's new password, given the digest of the current one: the database checks it
 * (counted as sign-in's checks are) and deletes the person's sessions but `keepSessionId`.
 */
export async function changeOwnPassword(
	tx: Tx,
	change: { email: string; currentDigest: string; passwordHash: string; keepSessionId: string }
): Promise<{ changed: boolean; retryAfterSeconds: number }> {
	const result = await sql<{
		changed: boolean;
		retry_after_seconds: number;
	}>`select changed, retry_after_seconds from app_password_change(${normalisedEmail(change.email)}, ${change.currentDigest}, ${change.passwordHash}, ${change.keepSessionId})`.execute(
		tx
	);
	const row = result.rows[0];
	return { changed: row?.changed ?? false, retryAfterSeconds: row?.retry_after_seconds ?? 0 };
}
