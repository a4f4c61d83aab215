import {
	CompiledQuery,
	PostgresAdapter,
	PostgresIntrospector,
	PostgresQueryCompiler,
	Transaction,
	type DatabaseConnection,
	type Dialect,
	type Driver,
	type QueryResult,
	type TransactionSettings
} from 'kysely';
import { createHash } from 'node:crypto';
import type pg from 'pg';

/*
 * Kysely over node-postgres with fewer round trips (issue 9 items 1–2). Same SQL, same
 * parameters, same rows as Kysely's own PostgresDriver; what changes is how they travel:
 *
 * - The pool's clients run in node-postgres' pipeline mode, and the queries a transaction issues
 *   together (a Promise.all of independent reads) leave in one write: the server answers them in
 *   order, each with its own Sync, so an error still belongs to the query that caused it.
 * - BEGIN and the statements marked with `deferUntilNextQuery` (the tenant scope's set_config)
 *   wait and travel with the transaction's next query; a transaction that ends before any query
 *   sends nothing at all.
 * - A parameterised query is a named prepared statement, named by a hash of its SQL text: each
 *   connection parses and analyses it once, later executions only bind. Statements that select
 *   `*` stay unnamed, so a column added by a migration never meets a plan cached before it
 *   (PostgreSQL refuses those with "cached plan must not change result type").
 */

const deferrable = new WeakSet<CompiledQuery>();

/**
 * Marks a statement whose result nobody reads (a transaction-local set_config): inside a
 * transaction it is sent with the next query instead of on its own round trip, and dropped when
 * the transaction ends before another query. Other drivers (PGlite) run it as usual.
 */
export function deferUntilNextQuery<T>(query: CompiledQuery<T>): CompiledQuery<T> {
	deferrable.add(query);
	return query;
}

/** Named statements per connection; beyond it, new SQL runs unnamed (rare, generated SQL). */
const MAX_NAMED_PER_CONNECTION = 256;
const names = new Map<string, string | null>();
const MAX_NAMES = 4096;
const SELECTS_STAR = /(?:^|[\s,])(?:"[^"]+"\.)?\*(?:[\s,]|$)/;

function statementName(text: string): string | null {
	let name = names.get(text);
	if (name !== undefined) return name;
	name = SELECTS_STAR.test(text)
		? null
		: `ct_${createHash('sha1').update(text).digest('base64url').slice(0, 24)}`;
	if (names.size < MAX_NAMES) names.set(text, name);
	return name;
}

interface Waiting {
	query: CompiledQuery;
	resolve: (result: QueryResult<unknown>) => void;
	reject: (error: unknown) => void;
}

const STALE_PLAN = 'cached plan must not change result type';

class PipelinedConnection implements DatabaseConnection {
	readonly client: pg.PoolClient;
	/** Statements to send in front of the next query (BEGIN, the tenant scope). */
	#deferred: CompiledQuery[] = [];
	#waiting: Waiting[] = [];
	#flushing = false;
	#inTransaction = false;
	/** Whether this transaction's BEGIN has gone to the server. */
	#begun = false;
	#named = new Set<string>();
	discard = false;

	constructor(client: pg.PoolClient) {
		this.client = client;
	}

	executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
		if (this.#inTransaction && deferrable.has(query)) {
			this.#deferred.push(query);
			return Promise.resolve({ rows: [] });
		}
		return new Promise<QueryResult<R>>((resolve, reject) => {
			this.#waiting.push({ query, resolve: resolve as Waiting['resolve'], reject });
			// After the current burst of promise callbacks: queries issued together leave together.
			if (!this.#flushing) {
				this.#flushing = true;
				process.nextTick(() => this.#flush());
			}
		});
	}

	// eslint-disable-next-line require-yield
	async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
		throw new Error('streaming is not supported by the pipelined driver');
	}

	begin(sql: string): void {
		this.#inTransaction = true;
		this.#begun = false;
		this.#deferred = [CompiledQuery.raw(sql)];
	}

	/** Ends the transaction with COMMIT or ROLLBACK; nothing is sent if it never began. */
	async end(command: 'commit' | 'rollback'): Promise<string | undefined> {
		const begun = this.#begun;
		this.#inTransaction = false;
		this.#begun = false;
		this.#deferred = [];
		if (!begun) return undefined;
		const { rows } = await this.executeQuery<{ command: string }>(CompiledQuery.raw(command));
		return rows[0]?.command;
	}

	#config(query: CompiledQuery): pg.QueryConfig {
		const values = [...query.parameters];
		if (values.length === 0) return { text: query.sql };
		let name = statementName(query.sql);
		if (name && !this.#named.has(name)) {
			if (this.#named.size >= MAX_NAMED_PER_CONNECTION) name = null;
			else this.#named.add(name);
		}
		return name ? { name, text: query.sql, values } : { text: query.sql, values };
	}

	#flush() {
		this.#flushing = false;
		const waiting = this.#waiting;
		if (waiting.length === 0) return;
		const deferred = this.#deferred;
		this.#deferred = [];
		this.#waiting = [];
		if (this.#inTransaction) this.#begun = true;
		const stream = (this.client as unknown as { connection: { stream: NodeJS.WritableStream } })
			.connection.stream as NodeJS.WritableStream & { cork?(): void; uncork?(): void };
		// One write for the whole batch (node-postgres writes each message on its own otherwise).
		stream.cork?.();
		let failed: unknown = null;
		try {
			for (const query of deferred) {
				this.client.query(this.#config(query)).catch((error: unknown) => {
					failed ??= error;
				});
			}
			for (const entry of waiting) {
				this.client.query(this.#config(entry.query)).then(
					(result) => entry.resolve(resultOf(result)),
					(error: unknown) => {
						if (error instanceof Error && error.message === STALE_PLAN) this.discard = true;
						// A query after a failed scope statement fails as "transaction aborted":
						// report the cause instead.
						entry.reject(failed ?? error);
					}
				);
			}
		} finally {
			stream.uncork?.();
		}
	}

	release(): void {
		this.#deferred = [];
		this.#inTransaction = false;
		this.client.release(this.discard);
	}
}

function resultOf(result: pg.QueryResult | pg.QueryResult[]): QueryResult<unknown> {
	// A multi-statement text (a migration) answers with one result per statement, as before.
	const last = Array.isArray(result) ? result.at(-1) : result;
	const command = last?.command;
	if (command === 'ROLLBACK' || command === 'COMMIT') return { rows: [{ command }] };
	return {
		numAffectedRows:
			command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE'
				? BigInt(last?.rowCount ?? 0)
				: undefined,
		rows: last?.rows ?? []
	};
}

/**
 * The same transaction, with its queries no longer made to wait for each other by Kysely (which
 * runs one query at a time on a transaction's connection): on a pipelined connection, queries
 * issued together then leave together, in the order issued. Any other connection (PGlite) keeps
 * `tx` as it is.
 */
export async function concurrentTransaction<DB>(tx: Transaction<DB>): Promise<Transaction<DB>> {
	const executor = tx.getExecutor();
	const connection = await executor.provideConnection(async (held) => held);
	if (!(connection instanceof PipelinedConnection)) return tx;
	const direct = executor.withConnectionProvider({
		provideConnection: (consumer) => consumer(connection)
	});
	// Only the executor is used by queries; transaction control stays with `tx`'s owner.
	return new Transaction<DB>({
		config: { dialect: unusable },
		driver: unusable as unknown as Driver,
		dialect: unusable,
		executor: direct
	});
}

const unusable: Dialect = {
	createAdapter: () => new PostgresAdapter(),
	createDriver: () => {
		throw new Error('a concurrent transaction handle opens no connections');
	},
	createIntrospector: (db) => new PostgresIntrospector(db),
	createQueryCompiler: () => new PostgresQueryCompiler()
};

class PipelinedDriver implements Driver {
	readonly #pool: pg.Pool;
	readonly #connections = new WeakMap<pg.PoolClient, PipelinedConnection>();

	constructor(pool: pg.Pool) {
		this.#pool = pool;
	}

	async init() {}

	async acquireConnection(): Promise<DatabaseConnection> {
		const client = await this.#pool.connect();
		let connection = this.#connections.get(client);
		if (!connection) {
			connection = new PipelinedConnection(client);
			this.#connections.set(client, connection);
		}
		return connection;
	}

	async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
		let sql = 'begin';
		if (settings.isolationLevel || settings.accessMode) {
			sql = 'start transaction';
			if (settings.isolationLevel) sql += ` isolation level ${settings.isolationLevel}`;
			if (settings.accessMode) sql += ` ${settings.accessMode}`;
		}
		(connection as PipelinedConnection).begin(sql);
	}

	async commitTransaction(connection: DatabaseConnection) {
		const command = await (connection as PipelinedConnection).end('commit');
		// PostgreSQL completes COMMIT with a ROLLBACK tag when an earlier error aborted the work.
		if (command === 'ROLLBACK') throw new Error('the transaction was aborted and rolled back');
	}

	async rollbackTransaction(connection: DatabaseConnection) {
		try {
			await (connection as PipelinedConnection).end('rollback');
		} catch (error) {
			(connection as PipelinedConnection).discard = true;
			throw error;
		}
	}

	async savepoint(connection: DatabaseConnection, name: string) {
		await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteName(name)}`));
	}

	async rollbackToSavepoint(connection: DatabaseConnection, name: string) {
		await connection.executeQuery(CompiledQuery.raw(`rollback to savepoint ${quoteName(name)}`));
	}

	async releaseSavepoint(connection: DatabaseConnection, name: string) {
		await connection.executeQuery(CompiledQuery.raw(`release savepoint ${quoteName(name)}`));
	}

	async releaseConnection(connection: DatabaseConnection) {
		(connection as PipelinedConnection).release();
	}

	async destroy() {
		await this.#pool.end();
	}
}

function quoteName(name: string): string {
	return `"${name.replaceAll('"', '""')}"`;
}

/** Kysely's PostgreSQL dialect on the pipelined driver; `pool` must be in pipeline mode. */
export function pipelinedPostgresDialect(pool: pg.Pool): Dialect {
	return {
		createAdapter: () => new PostgresAdapter(),
		createDriver: () => new PipelinedDriver(pool),
		createIntrospector: (db) => new PostgresIntrospector(db),
		createQueryCompiler: () => new PostgresQueryCompiler()
	};
}
