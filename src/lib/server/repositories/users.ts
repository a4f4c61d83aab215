import type { Tx } from '../db/tenant-scope';
import type { Locale } from '../../../../db/schema';

export function findUserByEmail(tx: Tx, email: string) {
	return tx
		.selectFrom('users')
		.selectAll()
		.where((eb) => eb(eb.fn('lower', ['email']), '=', email.trim().toLowerCase()))
		.executeTakeFirst();
}

export function findUserById(tx: Tx, id: string) {
	return tx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function insertUser(
	tx: Tx,
	user: { email: string; name: string; passwordHash: string | null; locale?: Locale | null }
) {
	return tx
		.insertInto('users')
		.values({
			email: user.email.trim(),
			name: user.name.trim(),
			password_hash: user.passwordHash,
			locale: user.locale ?? null
		})
		.returningAll()
		.executeTakeFirstOrThrow();
}

export async function setUserLocale(tx: Tx, id: string, locale: Locale) {
	await tx.updateTable('users').set({ locale }).where('id', '=', id).execute();
}
