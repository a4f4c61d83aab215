/*
 * The API and the finding page under load, against the raw database (issue 9 item 6). Builds, or
 * reuses, a PostgreSQL database of 1,000,000 findings over 100 bodies (the build takes a few
 * minutes; the database is kept under its name, so later runs start at once), starts the built
 * app on it, and prints for each path at several concurrencies: the app's requests per second and
 * latency percentiles, the same SQL through the raw `pg` driver in the same run, and their ratio;
 * the round trips one request makes (counted by a proxy in front of PostgreSQL) and the page's
 * size. /healthz is compared with a plain node http server. Prints; asserts nothing.
 *
 *   npm run bench:api                       # builds the app first if there is no build
 *   BENCH_SECONDS=5 npm run bench:api       # seconds per measurement (default 4)
 *   node --import tsx scripts/bench-api.ts --prepare   # only build the database
 *   node --import tsx scripts/bench-api.ts --drop      # drop the cached database
 *
 * BENCH_POSTGRES_URL (default: TEST_POSTGRES_URL, or postgres://postgres@127.0.0.1:5432/postgres)
 * names the server.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from '../db/schema';
import { migrateToLatest } from '../db/migrate';
import { createPostgresPool } from '../src/lib/server/db/connection';
import { AppDatabase } from '../src/lib/server/db/tenant-scope';
import * as sessions from '../src/lib/server/repositories/sessions';
import {
	createSession,
	resolveActing,
	sessionPolicy,
	validateSessionToken
} from '../src/lib/server/services/sessions';
import {
	encodeFindingCursor,
	findingFilterChoices,
	listFindings,
	type FindingFilter
} from '../src/lib/server/services/findings';
import { parseSessionToken } from '../src/lib/server/auth/token';
import { SESSION_COOKIE } from '../src/lib/server/auth/cookies';
import { freePort } from '../tests/support/server';
import { startWireCounter } from '../tests/support/wire-counter';
import { seedBenchFindings, type BenchBody } from './bench-data';

const SERVER =
	process.env.BENCH_POSTGRES_URL ??
	process.env.TEST_POSTGRES_URL ??
	'postgres://postgres@127.0.0.1:5432/postgres';
/** The cached database; a different shape would get a different name. */
const DATABASE = 'certtrack_bench_api_1m';
const MARK = 'certtrack bench-api: 1,000,000 findings over 100 bodies, complete';

/** Body 1 is the one measured (400,060 findings, 700 organisations); 99 smaller ones around it. */
const BODIES: BenchBody[] = [
	{ n: 1, findings: 400_060, organisations: 700 },
	...Array.from({ length: 99 }, (_, i) => ({ n: i + 2, findings: 6_060, organisations: 20 }))
];

function urlOf(database: string): string {
	const url = new URL(SERVER);
	url.pathname = `/${database}`;
	return url.toString();
}

/** The cached database, built when missing or left half-built by an interrupted run. */
async function ensureDatabase(): Promise<string> {
	const admin = new pg.Client({ connectionString: SERVER });
	await admin.connect();
	try {
		const found = await admin.query<{ mark: string | null }>(
			`select shobj_description(oid, 'pg_database') as mark from pg_database where datname = $1`,
			[DATABASE]
		);
		if (found.rows[0]?.mark === MARK) {
			const owner = ownerKysely(urlOf(DATABASE));
			await migrateToLatest(owner);
			await owner.destroy();
			console.log(`reusing database ${DATABASE}`);
			return urlOf(DATABASE);
		}
		if (found.rows.length) await admin.query(`drop database ${DATABASE} with (force)`);
		await admin.query(`create database ${DATABASE}`);
		const owner = ownerKysely(urlOf(DATABASE));
		try {
			const started = performance.now();
			await migrateToLatest(owner);
			await seedBenchFindings(owner, BODIES);
			const counted = await sql<{ n: string }>`select count(*)::text as n from findings`.execute(
				owner
			);
			console.log(
				`built ${DATABASE}: ${counted.rows[0]?.n} findings in ${((performance.now() - started) / 1000).toFixed(0)} s`
			);
		} finally {
			await owner.destroy();
		}
		await admin.query(`comment on database ${DATABASE} is '${MARK}'`);
		return urlOf(DATABASE);
	} finally {
		await admin.end();
	}
}

function ownerKysely(url: string): Kysely<Database> {
	// No statement timeout: the bulk load and ANALYZE take longer than a request may.
	const pool = createPostgresPool(url, { max: 2, statementTimeoutMs: 0 });
	return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

async function dropDatabase() {
	const admin = new pg.Client({ connectionString: SERVER });
	await admin.connect();
	await admin.query(`drop database if exists ${DATABASE} with (force)`);
	await admin.end();
	console.log(`dropped ${DATABASE}`);
}

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const CONCURRENCY = [1, 8, 32];
const POOL_SIZE = 10;
const root = join(import.meta.dirname, '..');

interface Sample {
	rps: number;
	p50: number;
	p95: number;
	p99: number;
}

function summarise(latencies: number[], seconds: number): Sample {
	const sorted = [...latencies].sort((a, b) => a - b);
	const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
	return { rps: latencies.length / seconds, p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

/** `concurrency` loops running `once` back to back for SECONDS (after a short warm-up). */
async function load(concurrency: number, once: () => Promise<unknown>): Promise<Sample> {
	const warmUntil = performance.now() + 500;
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (performance.now() < warmUntil) await once();
		})
	);
	const latencies: number[] = [];
	const started = performance.now();
	const until = started + SECONDS * 1000;
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (performance.now() < until) {
				const at = performance.now();
				await once();
				latencies.push(performance.now() - at);
			}
		})
	);
	return summarise(latencies, (performance.now() - started) / 1000);
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** One GET, its body read; rejects on a status other than 200. */
function get(origin: string, path: string, cookie?: string): Promise<number> {
	return new Promise((resolve, reject) => {
		const req = request(`${origin}${path}`, { agent, headers: cookie ? { cookie } : {} }, (res) => {
			let bytes = 0;
			res.on('data', (chunk: Buffer) => (bytes += chunk.length));
			res.on('end', () =>
				res.statusCode === 200 ? resolve(bytes) : reject(new Error(`${path}: ${res.statusCode}`))
			);
		});
		req.on('error', reject);
		req.end();
	});
}

async function waitFor(origin: string, child: ChildProcess, log: () => string) {
	const deadline = Date.now() + 60_000;
	for (;;) {
		if (child.exitCode !== null) throw new Error(`the app exited:\n${log()}`);
		try {
			await get(origin, '/healthz');
			return;
		} catch {
			if (Date.now() > deadline) throw new Error(`the app did not start:\n${log()}`);
			await new Promise((resolve) => setTimeout(resolve, 200));
		}
	}
}

/** The built app on `databaseUrl`, without job workers (the requests alone are measured). */
async function startApp(databaseUrl: string, profileDir?: string) {
	const port = await freePort();
	const origin = `http://127.0.0.1:${port}`;
	const dataDir = mkdtempSync(join(tmpdir(), 'certtrack-bench-'));
	let output = '';
	const child = spawn(
		process.execPath,
		[...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), 'build/index.js'],
		{
			cwd: root,
			env: {
				...process.env,
				NODE_ENV: 'production',
				DATABASE_URL: databaseUrl,
				DB_POOL_SIZE: String(POOL_SIZE),
				PORT: String(port),
				HOST: '127.0.0.1',
				ORIGIN: origin,
				DATA_DIR: dataDir,
				WORKERS: 'off',
				REDIS_PREFIX: `{certtrack-bench-${randomBytes(4).toString('hex')}}`
			},
			stdio: ['ignore', 'pipe', 'pipe']
		}
	);
	child.stdout.on('data', (chunk) => (output += chunk));
	child.stderr.on('data', (chunk) => (output += chunk));
	await waitFor(origin, child, () => output);
	return {
		origin,
		async stop() {
			const exited = new Promise((resolve) => child.once('exit', resolve));
			child.kill('SIGINT');
			await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 8000))]);
			if (child.exitCode === null) child.kill('SIGKILL');
			rmSync(dataDir, { recursive: true, force: true });
		}
	};
}

/** A plain node http server answering like /healthz, in a process of its own. */
async function startPlainServer() {
	const port = await freePort();
	const child = spawn(
		process.execPath,
		[
			'-e',
			`require('http').createServer((q, s) => { s.setHeader('content-type', 'application/json'); s.setHeader('cache-control', 'no-store'); s.end(JSON.stringify({ status: 'ok', db: 'ok', ms: 0 })); }).listen(${port}, '127.0.0.1')`
		],
		{ stdio: 'ignore' }
	);
	const origin = `http://127.0.0.1:${port}`;
	await waitFor(origin, child, () => '');
	return { origin, stop: () => child.kill() };
}

interface Scenario {
	label: string;
	path: string;
	/** The SQL one request of it sends, in order, BEGIN to COMMIT. */
	queries: CompiledQuery[];
}

const trpcList = (input: Record<string, unknown>) =>
	`/api/trpc/findings.list?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;

async function main() {
	if (process.argv.includes('--drop')) return dropDatabase();
	const url = await ensureDatabase();
	if (process.argv.includes('--prepare')) return;
	if (!existsSync(join(root, 'build', 'index.js'))) {
		console.log('building the app…');
		const built = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
		if (built.status !== 0) throw new Error('the build failed');
	}

	// The SQL of each request, as the app issues it (its own services, logged by Kysely).
	const captured: CompiledQuery[] = [];
	let capturing = false;
	const kysely = new Kysely<Database>({
		dialect: new PostgresDialect({ pool: createPostgresPool(url, { max: 2 }) }),
		log: (event) => {
			if (capturing && event.level === 'query') captured.push(event.query);
		}
	});
	const db = new AppDatabase({
		kind: 'postgres',
		kysely,
		ping: async () => true,
		close: async () => {}
	});
	const policy = sessionPolicy(30);
	const userId = (await sql<{ id: string }>`select md5('user1')::uuid as id`.execute(kysely))
		.rows[0]!.id;
	const tenantId = (await sql<{ id: string }>`select md5('tenant1')::uuid as id`.execute(kysely))
		.rows[0]!.id;
	const { token } = await createSession(db, userId, policy);
	await db.asPerson(userId, (tx) =>
		sessions.setSessionTenant(tx, parseSessionToken(token)!.id, tenantId)
	);
	const cookie = `${SESSION_COOKIE}=${token}`;
	const deep = (
		await sql<{ raised_on: string; id: string }>`select raised_on, id from findings
			where tenant_id = ${tenantId} order by raised_on desc, id desc offset 200000 limit 1`.execute(
			kysely
		)
	).rows[0]!;
	const deepCursor = encodeFindingCursor({
		sort: 'raised',
		segment: 'all',
		key: { raisedOn: deep.raised_on, id: deep.id }
	});

	async function sqlOf(
		work: (
			actor: NonNullable<Awaited<ReturnType<typeof resolveActing>>['actor']>
		) => Promise<unknown>
	) {
		captured.length = 0;
		capturing = true;
		await db.inRequest(async () => {
			const person = await validateSessionToken(db, token, policy);
			const { actor } = await resolveActing(db, person!);
			await work(actor!);
		});
		capturing = false;
		return [...captured];
	}
	const listOf = (filter: FindingFilter, cursor: string | null = null) =>
		sqlOf((actor) => listFindings(db, actor, filter, cursor));

	const lists: Scenario[] = [
		{ label: 'first page', path: trpcList({}), queries: await listOf({}) },
		{
			label: 'deep page (200,000 rows in)',
			path: trpcList({ cursor: deepCursor }),
			queries: await listOf({}, deepCursor)
		},
		{
			label: 'status = evidence_submitted',
			path: trpcList({ status: 'evidence_submitted' }),
			queries: await listOf({ status: 'evidence_submitted' })
		},
		{
			label: 'search 派工单',
			path: trpcList({ search: '派工单' }),
			queries: await listOf({ search: '派工单' })
		}
	];
	const page: Scenario = {
		label: 'SSR /findings',
		path: '/findings',
		queries: await sqlOf(async (actor) => {
			await listFindings(db, actor, { sort: 'raised' }, null);
			await findingFilterChoices(db, actor);
		})
	};
	await kysely.destroy();

	// The raw baseline: the same statements through node-postgres, one after another, on a pool
	// of the app's size.
	const raw = new pg.Pool({ connectionString: url, max: POOL_SIZE });
	const replay = (queries: CompiledQuery[]) => async () => {
		const client = await raw.connect();
		try {
			for (const query of queries) await client.query(query.sql, [...query.parameters]);
		} finally {
			client.release();
		}
	};

	console.log(
		`\n${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, ` +
			`PostgreSQL ${(await raw.query<{ server_version: string }>('show server_version')).rows[0]!.server_version}; ` +
			`${SECONDS} s per measurement, pool ${POOL_SIZE}, body 1 of 100 (400,060 of 1,000,000 findings)\n`
	);
	const header = (first: string) =>
		console.log(
			`${first.padEnd(30)} ${'c'.padStart(3)} ${'app req/s'.padStart(10)} ${'p50'.padStart(6)} ${'p95'.padStart(6)} ${'p99'.padStart(6)}  ${'raw req/s'.padStart(10)} ${'p50'.padStart(6)} ${'p95'.padStart(6)}  ${'ratio'.padStart(5)}`
		);
	const line = (label: string, c: number, app: Sample, base: Sample) =>
		console.log(
			`${label.padEnd(30)} ${String(c).padStart(3)} ${app.rps.toFixed(0).padStart(10)} ${app.p50.toFixed(1).padStart(6)} ${app.p95.toFixed(1).padStart(6)} ${app.p99.toFixed(1).padStart(6)}  ${base.rps.toFixed(0).padStart(10)} ${base.p50.toFixed(1).padStart(6)} ${base.p95.toFixed(1).padStart(6)}  ${(app.rps / base.rps).toFixed(2).padStart(5)}`
		);

	const app = await startApp(url, process.env.BENCH_PROFILE);
	const bytes = new Map<string, number>();
	try {
		header('path (ms)');
		for (const scenario of [...lists, page]) {
			bytes.set(scenario.label, await get(app.origin, scenario.path, cookie));
			for (const c of CONCURRENCY) {
				const measured = await load(c, () => get(app.origin, scenario.path, cookie));
				const base = await load(c, replay(scenario.queries));
				line(scenario.label, c, measured, base);
			}
		}
		const plain = await startPlainServer();
		try {
			for (const c of CONCURRENCY) {
				const measured = await load(c, () => get(app.origin, '/healthz'));
				const base = await load(c, () => get(plain.origin, '/'));
				line('/healthz vs plain node http', c, measured, base);
			}
		} finally {
			plain.stop();
		}
	} finally {
		await app.stop();
	}

	// Round trips: the same requests once more, through a counting proxy, each after a warm-up.
	const wire = await startWireCounter(new URL(url).hostname, Number(new URL(url).port || 5432));
	const counted = await startApp(wire.url(url));
	try {
		console.log(
			`\n${'path'.padEnd(30)} ${'round trips'.padStart(11)} ${'app SQL'.padStart(8)} ${'bytes'.padStart(9)}`
		);
		for (const scenario of [...lists, page]) {
			await get(counted.origin, scenario.path, cookie);
			await get(counted.origin, scenario.path, cookie);
			await new Promise((resolve) => setTimeout(resolve, 50));
			wire.reset();
			await get(counted.origin, scenario.path, cookie);
			await new Promise((resolve) => setTimeout(resolve, 50));
			const { roundTrips } = wire.counts();
			console.log(
				`${scenario.label.padEnd(30)} ${String(roundTrips).padStart(11)} ${String(scenario.queries.length).padStart(8)} ${String(bytes.get(scenario.label)).padStart(9)}`
			);
		}
		console.log(
			'(app SQL: statements of the request, BEGIN and COMMIT included, one round trip each raw)'
		);
	} finally {
		await counted.stop();
		await wire.close();
		await raw.end();
		agent.destroy();
	}
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
