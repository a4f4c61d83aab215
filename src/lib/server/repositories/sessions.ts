import { sql } from 'kysely';
import type { Tx } from '../db/tenant-scope';
import type { Locale } from '../../../../db/schema';

/*
 * The app role has no privilege on `sessions`: each query is a SECURITY DEFINER function taking
 * the session's id (migration 2026-12-02-11-database-roles), so no transaction can list, read or
 * change a session whose id it was not given. Each works inside any transaction.
 */

export async function insertSession(
	tx: Tx,
	session: { id: string; secretHash: Uint8Array; userId: string; expiresAt: Date }
) {
	await sql`select app_session_insert(${session.id}, ${session.secretHash}, ${session.userId}, ${session.expiresAt})`.execute(
		tx
	);
}

export interface SessionRow {
	id: string;
	secret_hash: Uint8Array;
	expires_at: Date;
	tenant_id: string | null;
	user_id: string;
	email: string;
	name: string;
	locale: Locale | null;
}

export async function findSession(tx: Tx, id: string): Promise<SessionRow | undefined> {
	const result =
		await sql<SessionRow>`select id, secret_hash, expires_at, tenant_id, user_id, email, name, locale from app_session_find(${id})`.execute(
			tx
		);
	return result.rows[0];
}

export async function setSessionExpiry(tx: Tx, id: string, expiresAt: Date) {
	await sql`select app_session_extend(${id}, ${expiresAt})`.execute(tx);
}

export async function setSessionTenant(tx: Tx, id: string, tenantId: string | null) {
	await sql`select app_session_set_tenant(${id}, ${tenantId})`.execute(tx);
}

export async function deleteSession(tx: Tx, id: string) {
	await sql`select app_session_delete(${id})`.execute(tx);
}

export async function deleteExpiredSessions(tx: Tx, now: Date) {
	await sql`select app_sessions_delete_expired(${now})`.execute(tx);
}

/**
 * Deletes the sessions of a member of the transaction's tenant that act in that tenant (issue 12
 * item 7: deactivation signs them out at once); sessions acting in their other bodies stay.
 */
export async function deleteMemberSessions(tx: Tx, userId: string): Promise<number> {
	const result = await sql<{
		n: number;
	}>`select app_sessions_delete_for_member(${userId}) as n`.execute(tx);
	return Number(result.rows[0]?.n ?? 0);
}
