import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { AppDatabase } from '../../src/lib/server/db/tenant-scope';
import { connectPostgres, type DatabaseConnection } from '../../src/lib/server/db/connection';
import { createTestDatabase, type TestDatabase } from '../support/databases';

/*
 * A request whose connection drops before its COMMIT (a database restart, pg_terminate_backend)
 * answers with an error and gives its pool client back. Kysely releases a controlled
 * transaction's connection on a failed commit only when the database reported a rollback, so a
 * commit that failed because the socket was gone leaked the client: in the fault benchmark the
 * pool of 10 was used up after seven restarts, and every request answered 503 from then on.
 */
describe('a request whose connection drops before it commits (PostgreSQL)', () => {
	let t: TestDatabase;
	let connection: DatabaseConnection;
	let db: AppDatabase;

	beforeAll(async () => {
		t = await createTestDatabase('postgres');
		// A small pool of the app's own, so that a leak shows within a few requests.
		connection = connectPostgres(t.appUrl!, { max: 2, connectTimeoutMs: 2_000 });
		db = new AppDatabase(connection);
	}, 60_000);

	afterAll(async () => {
		await connection?.close();
		await t?.drop();
	});

	const backendPid = () =>
		db.asPerson(null, async (tx) =>
			Number((await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx)).rows[0]!.pid)
		);

	it('gives the pool client back, so more such requests than the pool holds still get a connection', async () => {
		for (let i = 0; i < 5; i++) {
			const attempt = db.inRequest(async () => {
				const pid = await backendPid();
				// Killed from outside, between the request's work and its commit.
				await sql`select pg_terminate_backend(${pid})`.execute(t.owner);
				await new Promise((resolve) => setTimeout(resolve, 50));
				return pid;
			});
			await expect(attempt).rejects.toThrow();
		}
		// Five dropped commits, a pool of two: a leak would make this wait for a client and time out.
		const pid = await db.inRequest(backendPid);
		expect(pid).toBeGreaterThan(0);
	}, 30_000);
});
