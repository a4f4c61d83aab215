/*
 * Issue 8's fault measurement, 11 rounds: the built app on a private PostgreSQL (own data
 * directory and port under a temp dir; the shared server is never touched) with the demo data,
 * 40 requests always in flight (tRPC reads, a page, tRPC writes that add a contact and an audit
 * entry), and in each round pg_terminate_backend of the app's connections, then a fast restart.
 * Prints per round: crashes (the app stopped answering), unanswered requests (no answer within
 * the deadline, or the connection broke), 5xx other than a clean 503, lost acknowledged writes,
 * and whether the audit chain verifies.
 *
 *   npm run bench:fault-pg            (ROUNDS=11 IN_FLIGHT=40 by default)
 *
 * The bound: a request is unanswered after 10 s, what a person waits before giving up. The app
 * stays inside it because every wait for the database is bounded by DB_CONNECT_TIMEOUT_MS (3 s
 * here) per connection checkout, queued or new (pg-pool times out a queued waiter too), after
 * which the request answers 503; a connection the restart killed fails its query at once.
 */
import { sql } from 'kysely';
import { connectPostgres } from '../src/lib/server/db/connection';
import { AppDatabase } from '../src/lib/server/db/tenant-scope';
import { migrateToLatest } from '../db/migrate';
import { loadDemoData } from '../db/seed/demo';
import { buildApp, startBuiltApp, type RunningServer } from '../tests/support/server';
import { signedIn } from '../tests/support/http';
import { startPrivatePostgres } from '../tests/support/private-postgres';
import {
	demoOrganisationId,
	healthy,
	lostWrites,
	runLoad,
	summarise,
	verifyChain
} from '../tests/support/fault-load';

const ROUNDS = Number(process.env.ROUNDS ?? 11);
const IN_FLIGHT = Number(process.env.IN_FLIGHT ?? 40);
const DEADLINE_MS = 10_000;
const DATABASE = 'certtrack';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

process.env.CERTTRACK_TEST_RUN ??= `bench-fault-${Date.now()}`;
console.log('building the app…');
buildApp();
const server = await startPrivatePostgres();
let app: RunningServer | null = null;
const totals = { crashes: 0, unanswered: 0, unclean: 0, lost: 0, chainBroken: 0 };

try {
	const setup = connectPostgres(server.url(), { max: 1 });
	await sql`create database ${sql.id(DATABASE)}`.execute(setup.kysely);
	await setup.close();
	const owner = connectPostgres(server.url(DATABASE), { statementTimeoutMs: 0 });
	await migrateToLatest(owner.kysely);
	await loadDemoData(owner.kysely, new AppDatabase(owner));
	await owner.close();
	const organisationId = await demoOrganisationId(server.url(DATABASE));
	const env = { DATABASE_URL: server.url(DATABASE), DB_CONNECT_TIMEOUT_MS: '3000' };
	app = await startBuiltApp(env);
	console.log(
		`private PostgreSQL on port ${server.port}; ${ROUNDS} rounds, ${IN_FLIGHT} requests in flight\n`
	);
	console.log(
		'round  requests  2xx/4xx  503  unclean-5xx  unanswered  lost  crashed  chain  slowest'
	);

	for (let round = 1; round <= ROUNDS; round++) {
		const client = await signedIn(app, 'admin@demo.test');
		const stop = new AbortController();
		const load = runLoad({
			client,
			organisationId,
			inFlight: IN_FLIGHT,
			timeoutMs: DEADLINE_MS,
			stop: stop.signal
		});
		await sleep(1_500);
		await server.terminateConnections(DATABASE);
		await sleep(1_500);
		server.restart();
		await sleep(2_000);
		stop.abort();
		const summary = summarise(await load);
		const crashed = !(await healthy(app.origin, 15_000));
		const lost = await lostWrites(server.url(DATABASE), summary.acknowledgedWrites);
		let chain = 'n/a';
		if (!crashed) {
			const verified = await verifyChain(client).catch((error: unknown) => {
				console.error(app.output().split('\n').slice(-15).join('\n'));
				throw error;
			});
			chain = verified.ok ? 'ok' : 'BROKEN';
			if (!verified.ok) totals.chainBroken++;
		}
		const served = Object.entries(summary.byStatus)
			.filter(([status]) => /^[24]/.test(status))
			.reduce((sum, [, n]) => sum + n, 0);
		console.log(
			[
				String(round).padStart(5),
				String(summary.requests).padStart(9),
				String(served).padStart(8),
				String(summary.byStatus['503'] ?? 0).padStart(4),
				String(summary.unclean).padStart(12),
				String(summary.unanswered).padStart(11),
				String(lost.length).padStart(5),
				(crashed ? 'YES' : 'no').padStart(8),
				chain.padStart(6),
				`${summary.slowestMs} ms`.padStart(9)
			].join(' ')
		);
		totals.unanswered += summary.unanswered;
		totals.unclean += summary.unclean;
		totals.lost += lost.length;
		if (crashed) {
			totals.crashes++;
			console.log(app.output().slice(-2000));
			await app.stop();
			app = await startBuiltApp(env);
		}
	}
	console.log(
		`\ntotal: ${totals.crashes} crashes, ${totals.unanswered} unanswered, ${totals.unclean} unclean 5xx, ${totals.lost} lost writes, ${totals.chainBroken} broken chains in ${ROUNDS} rounds`
	);
	if (Object.values(totals).some((n) => n > 0)) process.exitCode = 1;
} finally {
	await app?.stop();
	server.destroy();
}
