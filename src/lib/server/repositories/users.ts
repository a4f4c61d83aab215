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
