import { AsyncLocalStorage } from 'node:async_hooks';
import { sql, type ControlledTransaction, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../../../db/schema';
import { APP_ROLE } from './roles';
import type { DatabaseConnection } from './connection';
import { concurrentTransaction, deferUntilNextQuery } from './pipelined-driver';

export type Tx = Transaction<Database>;

export interface TenantScope {
	tenantId: string;
	/** The acting person, recorded in the audit log; null for the system (jobs). */
	userId: string | null;
}

/** Called once a transaction that wrote outbox rows has committed, with the rows' ids. */
export type OutboxCommitListener = (tenantId: string, outboxIds: string[]) => void;

/** Outbox rows written in a transaction, by the tenant it was scoped to when they were. */
const outboxWrites = new WeakMap<Tx, Map<string, string[]>>();

/** The tenant and person a transaction is scoped to now, as `tenant|user` ('' for none). */
const scopes = new WeakMap<Tx, string>();
const scopeKey = (tenantId: string | null, userId: string | null) =>
	`${tenantId ?? ''}|${userId ?? ''}`;

/**
 * One request's transaction (issue 9 item 1): opened by the first call made inside
 * `AppDatabase.inRequest`, joined by the calls after it, committed when the request is done.
 */
interface RequestTransaction {
	owner: AppDatabase;
	open: boolean;
	tx: ControlledTransaction<Database> | null;
	/** What the calls' work gets: `tx`, its queries free to travel together. */
	handle: Tx | null;
	/** Calls take turns: one transaction runs one piece of work at a time. */
	turn: Promise<unknown>;
}

const requests = new AsyncLocalStorage<RequestTransaction>();
/** Set while a piece of work runs: a call nested inside it gets a transaction of its own, as before. */
const working = new AsyncLocalStorage<boolean>();

/**
 * Marks outbox rows written in `tx`: once it commits (never on rollback), the database's
 * outbox listener hears them — the request paths nudge delivery so event emails go out at once.
 */
export function noteOutboxRows(tx: Tx, outboxIds: string[]): void {
	const tenantId = scopes.get(tx)?.split('|')[0];
	if (outboxIds.length === 0 || !tenantId) return;
	let noted = outboxWrites.get(tx);
	if (!noted) outboxWrites.set(tx, (noted = new Map()));
	noted.set(tenantId, [...(noted.get(tenantId) ?? []), ...outboxIds]);
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

	/**
	 * Runs `request` (one HTTP request) so that every inTenant/asPerson call made inside it,
	 * session check included, shares one transaction: each call switches the tenant scope if it
	 * differs (set_config travels with the call's first query) and the transaction commits when
	 * `request` is done — or when `endRequestTransaction` is called. A call that throws rolls
	 * everything back, as its own transaction would have; the calls after it get transactions of
	 * their own. Calls inside a call's work, or after the end, also get their own.
	 */
	async inRequest<T>(request: () => Promise<T>): Promise<T> {
		// A request made while answering another (SvelteKit's event.fetch) joins that one's
		// transaction: one of its own would wait for PGlite's only connection, held by the outer.
		const outer = requests.getStore();
		if (outer?.owner === this && outer.open) return request();
		const shared: RequestTransaction = {
			owner: this,
			open: true,
			tx: null,
			handle: null,
			turn: Promise.resolve()
		};
		let result: T;
		try {
			result = await requests.run(shared, request);
		} catch (error) {
			await this.#finish(shared, 'rollback').catch(() => {});
			throw error;
		}
		await this.#finish(shared, 'commit');
		return result;
	}

	/**
	 * Commits the current request's transaction now (a changing request, once its session is
	 * checked: its work then commits on its own, before anything else can fail).
	 */
	async endRequestTransaction(): Promise<void> {
		const shared = requests.getStore();
		if (shared?.owner === this) await this.#finish(shared, 'commit');
	}

	async #finish(shared: RequestTransaction, how: 'commit' | 'rollback'): Promise<void> {
		// Waits for the calls in progress (a streamed promise may still be running).
		await shared.turn.catch(() => {});
		if (!shared.open) return;
		shared.open = false;
		const { tx, handle } = shared;
		shared.tx = shared.handle = null;
		if (!tx || !handle) return;
		if (how === 'rollback') {
			await tx.rollback().execute();
			return;
		}
		try {
			await tx.commit().execute();
		} catch (error) {
			// Kysely releases a controlled transaction's connection on a failed commit only when the
			// database reported a rollback; a commit that failed otherwise (the connection dropped
			// under it) keeps the connection checked out until a rollback, which releases it even
			// when it fails. Without this, each dropped commit leaked a pool client, and after a few
			// database restarts the pool was exhausted: every request answered 503 for good.
			await tx
				.rollback()
				.execute()
				.catch(() => {});
			throw error;
		}
		this.#committed(handle);
	}

	#run<T>(tenantId: string | null, userId: string | null, work: (tx: Tx) => Promise<T>) {
		const shared = requests.getStore();
		if (shared?.owner === this && shared.open && !working.getStore())
			return this.#joined(shared, tenantId, userId, work);
		return this.#alone(tenantId, userId, work);
	}

	#joined<T>(
		shared: RequestTransaction,
		tenantId: string | null,
		userId: string | null,
		work: (tx: Tx) => Promise<T>
	): Promise<T> {
		const result = shared.turn.then(async () => {
			if (!shared.open) return this.#alone(tenantId, userId, work);
			if (!shared.tx || !shared.handle) {
				shared.tx = await this.#kysely.startTransaction().execute();
				shared.handle = await concurrentTransaction<Database>(shared.tx);
			}
			const { tx, handle } = shared;
			try {
				await enterScope(handle, tenantId, userId);
				return await working.run(true, () => work(handle));
			} catch (error) {
				shared.open = false;
				shared.tx = shared.handle = null;
				await tx
					.rollback()
					.execute()
					.catch(() => {});
				throw error;
			}
		});
		shared.turn = result.catch(() => {});
		return result;
	}

	async #alone<T>(tenantId: string | null, userId: string | null, work: (tx: Tx) => Promise<T>) {
		let written: Tx | undefined;
		const result = await this.#kysely.transaction().execute(async (owned) => {
			const tx = await concurrentTransaction(owned);
			await enterScope(tx, tenantId, userId);
			const value = await working.run(true, () => work(tx));
			written = tx;
			return value;
		});
		this.#committed(written!);
		return result;
	}

	/** After a commit: the outbox rows it wrote reach the listener (never on rollback). */
	#committed(tx: Tx) {
		const written = outboxWrites.get(tx);
		const listener = this.#outboxListener;
		if (!written || !listener) return;
		outboxWrites.delete(tx);
		for (const [tenant, ids] of written) {
			try {
				listener(tenant, ids);
			} catch {
				// The work is committed; delivery still happens at the next sweep.
			}
		}
	}
}

/**
 * What opens every transaction: the app role, the tenant and the person, each for this
 * transaction only (`true`: local to it). Exported for the SQL snapshots (db/queries).
 */
export function scopeStatement(tenantId: string | null, userId: string | null) {
	return sql`select set_config('role', ${APP_ROLE}, true), set_config('app.tenant_id', ${tenantId ?? ''}, true), set_config('app.user_id', ${userId ?? ''}, true)`;
}

/**
 * Inside an `asPerson(null, …)` transaction, once a session's secret has been verified: act as
 * that person for the rest of the transaction (their own memberships become visible).
 */
export async function actAsPerson(tx: Tx, userId: string): Promise<void> {
	await tx.executeQuery(
		deferUntilNextQuery(sql`select set_config('app.user_id', ${userId}, true)`.compile(tx))
	);
	scopes.set(tx, scopeKey(scopes.get(tx)?.split('|')[0] || null, userId));
}

/**
 * Scopes `tx` to the tenant and person, unless it already is (a request's transaction moving from
 * one call to the next). The statement travels with the next query (db/pipelined-driver.ts).
 */
async function enterScope(tx: Tx, tenantId: string | null, userId: string | null) {
	const key = scopeKey(tenantId, userId);
	if (scopes.get(tx) === key) return;
	await tx.executeQuery(deferUntilNextQuery(scopeStatement(tenantId, userId).compile(tx)));
	scopes.set(tx, key);
}

/** Every tenant's id, for jobs that visit each tenant in its own scope. */
export async function listTenantIds(db: AppDatabase): Promise<string[]> {
	const rows = await db.asPerson(null, (tx) =>
		sql<{ id: string }>`select app_tenant_ids() as id`.execute(tx)
	);
	return rows.rows.map((row) => row.id);
}
