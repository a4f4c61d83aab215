import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { connectPostgres, type DatabaseConnection } from '../../src/lib/server/db/connection';
import { isDatabaseUnavailable } from '../../src/lib/server/db/unavailable';
import { readConfig } from '../../src/lib/server/config';
import { freePort } from '../support/server';
import { createTestDatabase, type TestDatabase } from '../support/databases';

/*
 * node-postgres as the app configures it: the types the code relies on, the per-connection
 * timeouts, a terminated connection that is reported (never thrown at the process), and a ping
 * that keeps its deadline when the pool is exhausted or the server is unreachable.
 */
describe('the PostgreSQL driver', () => {
	let t: TestDatabase;
	let small: DatabaseConnection;
	const logged: string[] = [];

	beforeAll(async () => {
		t = await createTestDatabase('postgres');
		small = connectPostgres(t.url!, {
			max: 2,
			connectTimeoutMs: 300,
			statementTimeoutMs: 1_500,
			idleInTransactionTimeoutMs: 2_500,
			log: (message) => logged.push(message)
		});
	}, 60_000);

	afterAll(async () => {
		await small?.close();
		await t?.drop();
	});

	it('keeps dates, int8 and numeric as strings and parses json', async () => {
		const { rows } = await sql<{
			day: unknown;
			days: unknown;
			big: unknown;
			amount: unknown;
			doc: unknown;
			at: unknown;
		}>`select date '2026-03-01' as day, array[date '2026-03-01', date '2026-12-31'] as days,
			9007199254740993::int8 as big, 12.50::numeric as amount,
			'{"a":[1,"x"]}'::jsonb as doc, timestamptz '2026-03-01T10:00:00Z' as at`.execute(small.kysely);
		expect(rows[0]).toEqual({
			day: '2026-03-01',
			days: ['2026-03-01', '2026-12-31'],
			big: '9007199254740993',
			amount: '12.50',
			doc: { a: [1, 'x'] },
			at: new Date('2026-03-01T10:00:00Z')
		});
	});

	it('stores JSON written as text as the JSON value, not a JSON string', async () => {
		const text = JSON.stringify({ title: 'x', n: 2 });
		const { rows } = await sql<{
			kind: string;
			doc: unknown;
		}>`select jsonb_typeof(${text}::jsonb) as kind, ${text}::jsonb as doc`.execute(small.kysely);
		expect(rows[0]).toEqual({ kind: 'object', doc: { title: 'x', n: 2 } });
	});

	it('sets statement_timeout and idle_in_transaction_session_timeout on every connection', async () => {
		const { rows } = await sql<{
			statement: string;
			idle: string;
			name: string;
		}>`select current_setting('statement_timeout') as statement,
			current_setting('idle_in_transaction_session_timeout') as idle,
			current_setting('application_name') as name`.execute(small.kysely);
		expect(rows[0]).toEqual({ statement: '1500ms', idle: '2500ms', name: 'certtrack' });
		const slow = await sql`select pg_sleep(3)`.execute(small.kysely).catch((error) => error);
		expect(slow).toMatchObject({ code: '57014' });
		expect(isDatabaseUnavailable(slow)).toBe(true);
	});

	it('reads the pool settings from the environment, with defaults for unset or bad values', () => {
		expect(readConfig({}).database).toEqual({
			poolSize: 10,
			connectTimeoutMs: 5000,
			statementTimeoutMs: 30000,
			idleInTransactionTimeoutMs: 60000
		});
		expect(
			readConfig({
				DB_POOL_SIZE: '25',
				DB_CONNECT_TIMEOUT_MS: 'soon',
				DB_STATEMENT_TIMEOUT_MS: '0',
				DB_IDLE_TX_TIMEOUT_MS: '-5'
			}).database
		).toEqual({
			poolSize: 25,
			connectTimeoutMs: 5000,
			statementTimeoutMs: 0,
			idleInTransactionTimeoutMs: 60000
		});
	});

	it('survives the termination of a connection a transaction holds, and reports it', async () => {
		const uncaught: unknown[] = [];
		const onUncaught = (error: unknown) => uncaught.push(error);
		process.on('uncaughtException', onUncaught);
		try {
			const outcome = await small.kysely
				.transaction()
				.execute(async (tx) => {
					const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx);
					// Terminated from outside while this transaction holds the connection, idle.
					await sql`select pg_terminate_backend(${rows[0]!.pid})`.execute(t.owner);
					await new Promise((resolve) => setTimeout(resolve, 200));
					await sql`select 1`.execute(tx);
				})
				.catch((error) => error);
			expect(isDatabaseUnavailable(outcome)).toBe(true);
			await new Promise((resolve) => setTimeout(resolve, 100));
			expect(uncaught).toEqual([]);
			expect(logged.some((line) => line.includes('connection lost'))).toBe(true);
			// The pool dropped the dead client and serves the next request.
			const again = await sql<{ one: number }>`select 1 as one`.execute(small.kysely);
			expect(again.rows).toEqual([{ one: 1 }]);
		} finally {
			process.off('uncaughtException', onUncaught);
		}
	});

	it('fails a request waiting on an exhausted pool after the connect timeout, as unavailable', async () => {
		let release!: () => void;
		const held = new Promise<void>((resolve) => (release = resolve));
		// Each holder says when it has its connection: on a loaded machine a fixed pause is not
		// enough for both to connect, and a connection that takes longer than the 300 ms connect
		// timeout to open is tried again, so the probe below never finds a free one.
		const acquired: Promise<void>[] = [];
		const holders = [0, 1].map(() => {
			let signal!: () => void;
			acquired.push(new Promise<void>((resolve) => (signal = resolve)));
			const hold = async (attempt: number): Promise<void> => {
				try {
					await small.kysely.transaction().execute(async (tx) => {
						await sql`select 1`.execute(tx);
						signal();
						await held;
					});
				} catch (error) {
					if (attempt >= 20 || !isDatabaseUnavailable(error)) throw error;
					await hold(attempt + 1);
				}
			};
			return hold(1);
		});
		try {
			await Promise.race([
				Promise.all(acquired),
				Promise.all(holders).then(() => {
					throw new Error('a holder finished before holding its connection');
				})
			]);
			const started = Date.now();
			const waiting = await sql`select 1`.execute(small.kysely).catch((error) => error);
			expect(Date.now() - started).toBeLessThan(1_000);
			expect(isDatabaseUnavailable(waiting)).toBe(true);
			// The health check does not queue behind the pool: queued, it would miss its deadline and
			// answer false (its answer says so; timing it would measure the machine's load).
			expect(await small.ping(800)).toBe(true);
		} finally {
			release();
			await Promise.all(holders);
		}
	});

	it('answers a ping false within its deadline when nothing listens', async () => {
		const port = await freePort();
		const nowhere = connectPostgres(`postgres://postgres@127.0.0.1:${port}/postgres`, {
			log: () => {}
		});
		try {
			const started = Date.now();
			expect(await nowhere.ping(500)).toBe(false);
			// Within its deadline, give or take a busy machine: three times the deadline still tells
			// it from a ping that would wait for the pool's 5 s connect timeout.
			expect(Date.now() - started).toBeLessThan(1_500);
			const refused = await sql`select 1`.execute(nowhere.kysely).catch((error) => error);
			expect(isDatabaseUnavailable(refused)).toBe(true);
		} finally {
			await nowhere.close();
		}
	});

	it('tells a lost database from a request fault', () => {
		expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
		expect(isDatabaseUnavailable({ code: '57P01', message: 'terminating connection' })).toBe(true);
		expect(isDatabaseUnavailable({ code: '08006' })).toBe(true);
		expect(
			isDatabaseUnavailable(
				new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) })
			)
		).toBe(true);
		expect(isDatabaseUnavailable({ code: '23505', message: 'duplicate key' })).toBe(false);
		expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
		expect(isDatabaseUnavailable(null)).toBe(false);
	});
});
