import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { connectPostgres } from '../../src/lib/server/db/connection';
import { AppDatabase } from '../../src/lib/server/db/tenant-scope';
import { migrateToLatest } from '../../db/migrate';
import { loadDemoData } from '../../db/seed/demo';
import { startDemoApp, signedIn, type Browserless } from '../support/http';
import type { RunningServer } from '../support/server';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres';
import {
	demoOrganisationId,
	healthy,
	lostWrites,
	runLoad,
	summarise,
	verifyChain
} from '../support/fault-load';

/*
 * Issue 8: the built app on a PostgreSQL of its own, with 40 requests in flight while the app's
 * connections are terminated and the server restarts fast. The process lives, every request is
 * answered (a success, a 4xx or a clean 503) within the deadline, every acknowledged write is in
 * the database, and the audit chain verifies. /healthz answers 503 within a second while the
 * server is down. `npm run bench:fault-pg` repeats the round 11 times.
 */
const IN_FLIGHT = 40;
const REQUEST_DEADLINE_MS = 10_000;
const DATABASE = 'certtrack';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the app on a PostgreSQL that drops its connections', () => {
	let server: PrivatePostgres;
	let app: RunningServer;
	let admin: Browserless;
	let organisationId: string;

	beforeAll(async () => {
		server = await startPrivatePostgres();
		const setup = connectPostgres(server.url(), { max: 1 });
		await sql`create database ${sql.id(DATABASE)}`.execute(setup.kysely);
		await setup.close();
		const owner = connectPostgres(server.url(DATABASE), { statementTimeoutMs: 0 });
		await migrateToLatest(owner.kysely);
		await loadDemoData(owner.kysely, new AppDatabase(owner));
		await owner.close();
		organisationId = await demoOrganisationId(server.url(DATABASE));
		app = await startDemoApp({
			DATABASE_URL: server.url(DATABASE),
			DB_POOL_SIZE: '10',
			DB_CONNECT_TIMEOUT_MS: '3000'
		});
		admin = await signedIn(app, 'admin@demo.test');
	}, 240_000);

	afterAll(async () => {
		await app?.stop();
		server?.destroy();
	});

	it('answers every request through a terminate and a fast restart, and loses no acknowledged write', async () => {
		const stop = new AbortController();
		const load = runLoad({
			client: admin,
			organisationId,
			inFlight: IN_FLIGHT,
			timeoutMs: REQUEST_DEADLINE_MS,
			stop: stop.signal
		});
		await sleep(1_500);
		const terminated = await server.terminateConnections(DATABASE);
		await sleep(1_500);
		server.restart();
		await sleep(2_000);
		await server.terminateConnections(DATABASE);
		await sleep(1_500);
		stop.abort();
		const summary = summarise(await load);

		const context = JSON.stringify(summary.byStatus) + '\n' + app.output().slice(-3000);
		expect(terminated, context).toBeGreaterThan(0);
		expect(summary.requests, context).toBeGreaterThan(IN_FLIGHT);
		expect(summary.unanswered, context).toBe(0);
		expect(summary.unclean, context).toBe(0);
		expect(summary.slowestMs, context).toBeLessThan(REQUEST_DEADLINE_MS);
		expect(summary.acknowledgedWrites.length, context).toBeGreaterThan(0);
		// Some requests met the fault (else this tested nothing) and were refused cleanly.
		expect(summary.byStatus['503'] ?? 0, context).toBeGreaterThan(0);

		expect(await healthy(app.origin, 15_000), context).toBe(true);
		expect(await lostWrites(server.url(DATABASE), summary.acknowledgedWrites)).toEqual([]);
		const chain = await verifyChain(admin);
		expect(chain.ok).toBe(true);
		expect(chain.entries).toBeGreaterThanOrEqual(summary.acknowledgedWrites.length);
		expect(app.output()).not.toMatch(/uncaught|unhandled/i);
	}, 60_000);

	it('answers /healthz with 503 within a second while the server is stopped, and 200 once it is back', async () => {
		server.stop();
		try {
			for (let attempt = 0; attempt < 3; attempt++) {
				const started = Date.now();
				const response = await fetch(`${app.origin}/healthz`, {
					signal: AbortSignal.timeout(5_000)
				});
				const elapsed = Date.now() - started;
				expect(response.status).toBe(503);
				expect(await response.json()).toMatchObject({ db: 'unavailable', mail: 'files' });
				expect(elapsed).toBeLessThan(1_000);
			}
			// A page that needs the database is a clean 503 too, not a 500 or a hang.
			const page = await admin.fetch('/organisations', { signal: AbortSignal.timeout(10_000) });
			expect(page.status).toBe(503);
			expect(page.headers.get('retry-after')).toBe('2');
		} finally {
			server.start();
		}
		expect(await healthy(app.origin, 15_000)).toBe(true);
	}, 60_000);
});
