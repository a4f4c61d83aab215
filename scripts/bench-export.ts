/*
 * The findings export at a million rows: creates a PostgreSQL database of its own, fills it with
 * BENCH_FINDINGS findings (default 1,000,000) in one body (scripts/bench-data.ts), then exports
 * them whole as CSV and as XLSX through the export service as the endpoint runs it (the app role,
 * row-level security, batches of 1,000), reading the stream as a client would and throwing the
 * bytes away, and prints rows, bytes, time and the process's memory every tenth of the way:
 * flat memory means the last lines look like the first.
 *
 *   node --expose-gc --import tsx scripts/bench-export.ts
 *
 * With --expose-gc the heap is also shown after a full collection (what is really kept, apart
 * from garbage not collected yet). BENCH_POSTGRES_URL names the server (default TEST_POSTGRES_URL
 * or postgres://postgres@127.0.0.1:5432/postgres); the database is dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { createPostgresPool } from '../src/lib/server/db/connection';
import type { Database } from '../db/schema';
import { migrateToLatest } from '../db/migrate';
import { seedBenchFindings } from './bench-data';
import { AppDatabase } from '../src/lib/server/db/tenant-scope';
import { startExport } from '../src/lib/server/services/exports';
import type { Actor } from '../src/lib/server/actor';
import type { ExportFormat } from '../src/lib/exports';

const SERVER =
	process.env.BENCH_POSTGRES_URL ??
	process.env.TEST_POSTGRES_URL ??
	'postgres://postgres@127.0.0.1:5432/postgres';
const FINDINGS = Number(process.env.BENCH_FINDINGS ?? 1_000_000);
const FORMATS = (process.env.BENCH_FORMATS ?? 'csv,xlsx').split(',') as ExportFormat[];

function urlOf(database: string): string {
	const url = new URL(SERVER);
	url.pathname = `/${database}`;
	return url.toString();
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
const gc = (globalThis as { gc?: () => void }).gc;

function memory(): string {
	const rss = process.memoryUsage().rss;
	let line = `rss ${mb(rss)}`;
	if (gc) {
		gc();
		line += `, heap after gc ${mb(process.memoryUsage().heapUsed)}`;
	}
	return line;
}

async function exportOnce(db: AppDatabase, actor: Actor, format: ExportFormat) {
	const started = performance.now();
	console.log(`${format}: start, ${memory()}`);
	const file = await startExport(db, actor, 'findings', format, new URLSearchParams(), 'zh-CN');
	let bytes = 0;
	let lines = 0;
	let peak = process.memoryUsage().rss;
	let next = 0.1;
	for await (const chunk of file.body) {
		bytes += chunk.length;
		if (format === 'csv') for (const byte of chunk) if (byte === 10) lines++;
		peak = Math.max(peak, process.memoryUsage().rss);
		// XLSX is compressed: progress by bytes against the CSV's size is not known, so by time.
		const done = format === 'csv' ? lines / (FINDINGS + 1) : 0;
		if (format === 'csv' && done >= next) {
			console.log(
				`  ${(done * 100).toFixed(0)} %: ${lines - 1} rows, ${mb(bytes)}, ` +
					`${((performance.now() - started) / 1000).toFixed(1)} s, ${memory()}`
			);
			next += 0.1;
		} else if (format === 'xlsx' && performance.now() - started > next * 1000 * 60) {
			console.log(
				`  ${((performance.now() - started) / 1000).toFixed(0)} s: ${mb(bytes)}, ${memory()}`
			);
			next += 0.1;
		}
	}
	const seconds = (performance.now() - started) / 1000;
	console.log(
		`${format}: ${format === 'csv' ? `${lines - 1} rows, ` : ''}${mb(bytes)} in ${seconds.toFixed(1)} s ` +
			`(${Math.round(FINDINGS / seconds)} rows/s); peak rss ${mb(peak)}; end ${memory()}`
	);
}

async function main() {
	const name = `certtrack_bench_${randomBytes(4).toString('hex')}`;
	const admin = createPostgresPool(SERVER, { max: 1 });
	await admin.query(`create database ${name}`);
	const pool = createPostgresPool(urlOf(name), { max: 4, statementTimeoutMs: 0 });
	const owner = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
	// Stopped half-way (Ctrl-C, a timeout): the database goes too.
	for (const signal of ['SIGINT', 'SIGTERM'] as const)
		process.once(signal, () => {
			void pool
				.end()
				.catch(() => {})
				.then(() => admin.query(`drop database if exists ${name} with (force)`))
				.finally(() => process.exit(130));
		});
	try {
		console.log(`database ${name}, ${FINDINGS} findings`);
		await migrateToLatest(owner);
		const started = performance.now();
		await seedBenchFindings(owner, [{ n: 1, findings: FINDINGS, organisations: 2_000 }]);
		console.log(`seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
		const db = new AppDatabase({ kind: 'postgres', kysely: owner, close: async () => {} });
		const one = async (query: string) =>
			(await sql<{ id: string }>`${sql.raw(query)}`.execute(owner)).rows[0]!.id;
		const actor: Actor = {
			userId: await one(`select md5('user1')::uuid as id`),
			email: 'bench-1@example.test',
			name: 'Evaluator 1',
			tenantId: await one(`select md5('tenant1')::uuid as id`),
			role: 'evaluator',
			organisationId: null,
			organisationName: null,
			tenant: {
				slug: 'bench-1',
				name: 'Bench body 1',
				defaultLocale: 'zh-CN',
				timeZone: 'Asia/Shanghai'
			}
		};
		for (const format of FORMATS) await exportOnce(db, actor, format);
	} finally {
		await owner.destroy();
		await admin.query(`drop database if exists ${name} with (force)`);
		await admin.end();
	}
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
