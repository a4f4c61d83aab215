import { Kysely } from 'kysely';
import { PGlite } from '@electric-sql/pglite';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { mkdirSync } from 'node:fs';
import type { Database } from '../../../../db/schema';
import { pipelinedPostgresDialect } from './pipelined-driver';

export type DatabaseKind = 'postgres' | 'pglite';

export interface DatabaseConnection {
	kind: DatabaseKind;
	/**
	 * The handle of whoever the URL logs in as: the app role at run time (AppDatabase), the owner
	 * for the migrator and the seed; PGlite's one user is the owner. Only the tenant-scope
	 * helpers, the migrator and the seed may use it.
	 */
	kysely: Kysely<Database>;
	/**
	 * Whether the database answers within `timeoutMs`, on a path of its own: a pool that is
	 * exhausted or a server that does not answer never makes the caller (/healthz) wait longer.
	 */
	ping(timeoutMs: number): Promise<boolean>;
	close(): Promise<void>;
}

export interface PostgresOptions {
	/** Connections in the pool (DB_POOL_SIZE). */
	max?: number;
	/** How long to wait for a connection, new or from the pool, before the request fails. */
	connectTimeoutMs?: number;
	/** Server-side limit per statement; 0 turns it off (the migration CLI). */
	statementTimeoutMs?: number;
	/** Server-side limit on a transaction left open and idle (a stuck request holding locks). */
	idleInTransactionTimeoutMs?: number;
	/** Where a dropped connection is reported; it never reaches the process as an exception. */
	log?: (message: string) => void;
}

export const POSTGRES_DEFAULTS = {
	max: 10,
	connectTimeoutMs: 5_000,
	statementTimeoutMs: 30_000,
	idleInTransactionTimeoutMs: 60_000
} as const;

const DATE_OID = 1082;
const DATE_ARRAY_OID = 1182;
const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * Dates stay 'YYYY-MM-DD' strings: a due date is a calendar day in the tenant's zone, not an
 * instant (node-postgres would make a local-midnight Date of it). int8 and numeric stay strings
 * (node-postgres' default, and what the PGlite parsers below return); json/jsonb are parsed, and
 * JSON written as text (as the repositories do) reaches the column unchanged.
 */
const TEXT_ARRAY_OID = 1009;
// @types/pg lists only scalar type ids; text[]'s parser is there all the same.
const textParser = pg.types.getTypeParser as (oid: number) => (value: string) => unknown;

const pgTypes = {
	getTypeParser(oid: number, format?: 'text' | 'binary') {
		if (oid === DATE_OID) return (value: string) => value;
		if (oid === DATE_ARRAY_OID) return textParser(TEXT_ARRAY_OID);
		return format === 'binary'
			? pg.types.getTypeParser(oid, 'binary')
			: pg.types.getTypeParser(oid, 'text');
	}
} as unknown as pg.CustomTypesConfig;

function poolConfig(url: string, options: PostgresOptions): pg.PoolConfig {
	const statementTimeout = options.statementTimeoutMs ?? POSTGRES_DEFAULTS.statementTimeoutMs;
	const idleInTransaction =
		options.idleInTransactionTimeoutMs ?? POSTGRES_DEFAULTS.idleInTransactionTimeoutMs;
	return {
		connectionString: url,
		max: options.max ?? POSTGRES_DEFAULTS.max,
		connectionTimeoutMillis: options.connectTimeoutMs ?? POSTGRES_DEFAULTS.connectTimeoutMs,
		idleTimeoutMillis: 30_000,
		// Sent with the startup packet, so every connection carries them whatever the role it
		// switches to inside a transaction.
		statement_timeout: statementTimeout,
		idle_in_transaction_session_timeout: idleInTransaction,
		keepAlive: true,
		keepAliveInitialDelayMillis: 10_000,
		application_name: 'certtrack',
		types: pgTypes
	};
}

/**
 * node-postgres reports a connection that drops (a restart, pg_terminate_backend) as an 'error'
 * event: on an idle client the pool turns it into its own 'error' event, but a client checked
 * out by a request has no listener, and an unheard 'error' event kills the process. Every client
 * gets a listener for its whole life; the request using it sees the failure as a rejected query.
 */
function guardPool(pool: pg.Pool, log: (message: string) => void, label: string): void {
	pool.on('error', (error) => log(`PostgreSQL ${label}: idle connection lost: ${error.message}`));
	pool.on('connect', (client) => {
		client.on('error', (error) =>
			log(`PostgreSQL ${label}: connection lost while in use: ${error.message}`)
		);
	});
}

/** The application's pool with its types, timeouts and error guard (scripts build on it). */
export function createPostgresPool(
	url: string,
	options: PostgresOptions & { pipeline?: boolean } = {}
): pg.Pool {
	// node-postgres' pipeline mode (not yet in @types/pg): queries go out without waiting for the
	// previous answer; the pipelined driver relies on it.
	const pool = new pg.Pool({
		...poolConfig(url, options),
		pipeline: options.pipeline ?? false
	} as pg.PoolConfig);
	guardPool(pool, options.log ?? ((message: string) => console.error(message)), 'pool');
	return pool;
}

export function connectPostgres(url: string, options: PostgresOptions = {}): DatabaseConnection {
	const pool = createPostgresPool(url, { ...options, pipeline: true });
	// Named statements, pipelined with BEGIN and the tenant scope (db/pipelined-driver.ts).
	const kysely = new Kysely<Database>({ dialect: pipelinedPostgresDialect(pool) });
	const health = healthCheck(url);
	return {
		kind: 'postgres',
		kysely,
		ping: health.ping,
		close: async () => {
			await Promise.allSettled([kysely.destroy(), health.close()]);
		}
	};
}

/**
 * A one-connection pool of its own for /healthz, outside the application's pool, with a
 * deadline on connecting and on the query. Concurrent checks share one answer.
 */
function healthCheck(url: string) {
	let pool: pg.Pool | null = null;
	let inFlight: Promise<boolean> | null = null;
	let closed = false;

	const poolFor = (timeoutMs: number) => {
		if (!pool) {
			pool = new pg.Pool({
				...poolConfig(url, { max: 1, connectTimeoutMs: timeoutMs, statementTimeoutMs: timeoutMs }),
				application_name: 'certtrack-health',
				idleTimeoutMillis: 10_000
			});
			// Its failures are the answer of the check, not news for the log.
			guardPool(pool, () => {}, 'health');
		}
		return pool;
	};

	const check = async (timeoutMs: number): Promise<boolean> => {
		const current = poolFor(timeoutMs);
		let timer: NodeJS.Timeout | undefined;
		let client: pg.PoolClient | null = null;
		let timedOut = false;
		const attempt = (async () => {
			client = await current.connect();
			if (timedOut) {
				client.release(true);
				return false;
			}
			try {
				await client.query('select 1');
				client.release();
			} catch (error) {
				client.release(error as Error);
				throw error;
			}
			return true;
		})();
		const deadline = new Promise<boolean>((resolve) => {
			timer = setTimeout(() => {
				timedOut = true;
				resolve(false);
			}, timeoutMs);
		});
		try {
			return await Promise.race([attempt.catch(() => false), deadline]);
		} finally {
			clearTimeout(timer);
			if (timedOut) {
				// A query that never answered: this pool may be stuck on it; start afresh next time.
				attempt.catch(() => {});
				pool = null;
				current.end().catch(() => {});
			}
		}
	};

	return {
		ping(timeoutMs: number): Promise<boolean> {
			if (closed) return Promise.resolve(false);
			inFlight ??= check(timeoutMs).finally(() => (inFlight = null));
			return inFlight;
		},
		async close() {
			closed = true;
			await (pool as pg.Pool | null)?.end().catch(() => {});
		}
	};
}

/** PGlite keeps its files in `dataDir`; undefined means in memory (tests). */
export function connectPglite(dataDir?: string): DatabaseConnection {
	if (dataDir) mkdirSync(dataDir, { recursive: true });
	const pglite = new PGlite({
		dataDir,
		parsers: {
			[DATE_OID]: (value: string) => value,
			[INT8_OID]: (value: string) => value,
			[NUMERIC_OID]: (value: string) => value
		}
	});
	const kysely = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
	return {
		kind: 'pglite',
		kysely,
		ping: (timeoutMs) =>
			withDeadline(
				pglite.query('select 1').then(() => true),
				timeoutMs
			),
		close: () => kysely.destroy()
	};
}

function withDeadline(work: Promise<boolean>, timeoutMs: number): Promise<boolean> {
	let timer: NodeJS.Timeout | undefined;
	const deadline = new Promise<boolean>((resolve) => {
		timer = setTimeout(() => resolve(false), timeoutMs);
	});
	return Promise.race([work.catch(() => false), deadline]).finally(() => clearTimeout(timer));
}
