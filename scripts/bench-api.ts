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
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from '../db/schema';
import { migrateToLatest } from '../db/migrate';
import { createPostgresPool } from '../src/lib/server/db/connection';
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

async function main() {
	if (process.argv.includes('--drop')) return dropDatabase();
	await ensureDatabase();
	if (process.argv.includes('--prepare')) return;
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
