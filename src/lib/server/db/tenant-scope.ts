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

/**
 * The only way the application reaches the database. Each call opens one transaction, switches
 * it to the non-owner role `certtrack_app` and sets the tenant with set_config(…, true), which
 * PostgreSQL forgets at commit or rollback: a pooled connection never carries a tenant into the
 * next request. Row-level security then decides what the transaction sees.
 */
export class AppDatabase {
	readonly kind: DatabaseConnection['kind'];
	readonly #kysely: Kysely<Database>;

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

	#run<T>(tenantId: string | null, userId: string | null, work: (tx: Tx) => Promise<T>) {
		return this.#kysely.transaction().execute(async (tx) => {
			await scopeStatement(tenantId, userId).execute(tx);
			return work(tx);
		});
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
