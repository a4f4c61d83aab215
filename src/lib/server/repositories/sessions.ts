import type { Tx } from '../db/tenant-scope';

export async function insertSession(
	tx: Tx,
	session: { id: string; secretHash: Uint8Array; userId: string; expiresAt: Date }
) {
	await tx
		.insertInto('sessions')
		.values({
			id: session.id,
			secret_hash: session.secretHash,
			user_id: session.userId,
			expires_at: session.expiresAt
		})
		.execute();
}

export function findSession(tx: Tx, id: string) {
	return tx
		.selectFrom('sessions')
		.innerJoin('users', 'users.id', 'sessions.user_id')
		.select([
			'sessions.id',
			'sessions.secret_hash',
			'sessions.expires_at',
			'sessions.tenant_id',
			'users.id as user_id',
			'users.email',
			'users.name',
			'users.locale'
		])
		.where('sessions.id', '=', id)
		.executeTakeFirst();
}

export async function setSessionExpiry(tx: Tx, id: string, expiresAt: Date) {
	await tx.updateTable('sessions').set({ expires_at: expiresAt }).where('id', '=', id).execute();
}

export async function setSessionTenant(tx: Tx, id: string, tenantId: string | null) {
	await tx.updateTable('sessions').set({ tenant_id: tenantId }).where('id', '=', id).execute();
}

export async function deleteSession(tx: Tx, id: string) {
	await tx.deleteFrom('sessions').where('id', '=', id).execute();
}

export async function deleteExpiredSessions(tx: Tx, now: Date) {
	await tx.deleteFrom('sessions').where('expires_at', '<=', now).execute();
}
