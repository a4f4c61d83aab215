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

/** The id of the person whose stored digest is `digest`, or null: the hash stays in the database. */
export async function findUserIdByPasswordDigest(tx: Tx, email: string, digest: string) {
	const result = await sql<{
		id: string | null;
	}>`select app_password_user(${normalisedEmail(email)}, ${digest}) as id`.execute(tx);
	return result.rows[0]?.id ?? null;
}
