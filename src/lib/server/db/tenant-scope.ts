import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../../../db/schema';
import { APP_ROLE } from './roles';
import type { DatabaseConnection } from './connection';

export type Tx = Transaction<Database>;

export interface TenantScope {
	tenantId: string;
	/** The acting person, recorded in the audit log; null for the system (jobs). */
	userId: string | null;
}

/** Called once a transaction that wrote outbox rows has committed, with the rows' ids. */
export type OutboxCommitListener = (tenantId: string, outboxIds: string[]) => void;

const outboxWrites = new WeakMap<Tx, string[]>();

/**
 * Marks outbox rows written in `tx`: once it commits (never on rollback), the database's
 * outbox listener hears them — the request paths nudge delivery so event emails go out at once.
 */
export function noteOutboxRows(tx: Tx, outboxIds: string[]): void {
	if (outboxIds.length === 0) return;
	const noted = outboxWrites.get(tx);
	if (noted) noted.push(...outboxIds);
	else outboxWrites.set(tx, [...outboxIds]);
}

/**
 * The only way the application reaches the database. Each call opens one transaction as the
 * non-owner role `certtrack_app` — the login itself on PostgreSQL (which cannot switch back to the
 * owner), SET LOCAL ROLE on PGlite's single user or an owner's URL; the statement is the same,
 * a no-op for the app role's own login — and sets the tenant with set_config(…, true), which
 * PostgreSQL forgets at commit or rollback: a pooled connection never carries a tenant into the
 * next request. Row-level security then decides what the transaction sees.
 */
export class AppDatabase {
	readonly kind: DatabaseConnection['kind'];
	readonly #kysely: Kysely<Database>;
	#outboxListener: OutboxCommitListener | null = null;

	constructor(connection: DatabaseConnection) {
		this.kind = connection.kind;
		this.#kysely = connection.kysely;
	}

	/** Work inside one tenant: sees that tenant's rows only. */
	inTenant<T>(scope: TenantScope, work: (tx: Tx) => Promise<T>): Promise<T> {
		return this.#run(scope.tenantId, scope.userId, work);
	}

	/**
	 * Work before a tenant is chosen: the global identity tables (users, sessions) and the
	 * person's own memberships and their tenants; every tenant-owned row is invisible.
	 */
	asPerson<T>(userId: string | null, work: (tx: Tx) => Promise<T>): Promise<T> {
		return this.#run(null, userId, work);
	}

	/**
	 * Who hears about committed outbox rows (one listener; null to stop). It runs after the
	 * commit and must not throw or wait: a failure there never fails the work that committed.
	 */
	onOutboxCommitted(listener: OutboxCommitListener | null): void {
		this.#outboxListener = listener;
	}

	async #run<T>(tenantId: string | null, userId: string | null, work: (tx: Tx) => Promise<T>) {
		let written: string[] | undefined;
		const result = await this.#kysely.transaction().execute(async (tx) => {
			await scopeStatement(tenantId, userId).execute(tx);
			const value = await work(tx);
			written = outboxWrites.get(tx);
			return value;
		});
		const listener = this.#outboxListener;
		if (written && tenantId && listener) {
			try {
				listener(tenantId, written);
			} catch {
				// The work is committed; delivery still happens at the next sweep.
			}
		}
		return result;
	}
}

/**
 * What opens every transaction: the app role, the tenant and the person, each for this
 * transaction only (`true`: local to it). Exported for the SQL snapshots (src/queries).
 */
export function scopeStatement(tenantId: string | null, userId: string | null) {
	return sql`select set_config('role', ${APP_ROLE}, true), set_config('app.tenant_id', ${tenantId ?? ''}, true), set_config('app.user_id', ${userId ?? ''}, true)`;
}

/**
 * Inside an `asPerson(null, …)` transaction, once a session's secret has been verified: act as
 * that person for the rest of the transaction (their own memberships become visible).
 */
export async function actAsPerson(tx: Tx, userId: string): Promise<void> {
	await sql`select set_config('app.user_id', ${userId}, true)`.execute(tx);
}

/** Every tenant's id, for jobs that visit each tenant in its own scope. */
export async function listTenantIds(db: AppDatabase): Promise<string[]> {
	const rows = await db.asPerson(null, (tx) =>
		sql<{ id: string }>`select app_tenant_ids() as id`.execute(tx)
	);
	return rows.rows.map((row) => row.id);
}
