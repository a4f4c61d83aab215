/*
 * The finding list at a million findings: creates a PostgreSQL database of its own, fills it with
 * 1,000,000 findings over three bodies (generate_series, in one statement), ANALYZEs, then times
 * the list as the app would run it — the real listFindings, as the app role inside a tenant
 * transaction under row-level security — and shows which indexes each query's plan uses.
 *
 *   node --import tsx scripts/bench-findings.ts
 *
 * BENCH_POSTGRES_URL (default: TEST_POSTGRES_URL, or postgres://postgres@127.0.0.1:5432/postgres)
 * names the server; the database is dropped at the end, whatever happens.
 */
import { randomBytes } from 'node:crypto';
import { CompiledQuery, Kysely, PostgresDialect, sql, type RawBuilder } from 'kysely';
import { createPostgresPool } from '../src/lib/server/db/connection';
import type { Database } from '../db/schema';
import { migrateToLatest } from '../db/migrate';
import { seedBenchFindings, type BenchBody } from './bench-data';
import { AppDatabase } from '../src/lib/server/db/tenant-scope';
import type { Actor } from '../src/lib/server/actor';
import {
	encodeFindingCursor,
	listFindings,
	type FindingFilter
} from '../src/lib/server/services/findings';

const SERVER =
	process.env.BENCH_POSTGRES_URL ??
	process.env.TEST_POSTGRES_URL ??
	'postgres://postgres@127.0.0.1:5432/postgres';
const RUNS = 7;
/** Findings and organisations per body; about 40 findings per evaluation. */
const BODIES: BenchBody[] = [
	{ n: 1, findings: 600_000, organisations: 2_000 },
	{ n: 2, findings: 300_000, organisations: 1_000 },
	{ n: 3, findings: 100_000, organisations: 300 }
];

function urlOf(database: string): string {
	const url = new URL(SERVER);
	url.pathname = `/${database}`;
	return url.toString();
}

/** The app's connection settings (dates stay strings), plus a log of every query while `capture`. */
function connect(url: string, captured: { on: boolean; queries: CompiledQuery[] }) {
	// No statement timeout: the bulk load and ANALYZE of a million rows take longer than a request.
	const pool = createPostgresPool(url, { max: 4, statementTimeoutMs: 0 });
	return new Kysely<Database>({
		dialect: new PostgresDialect({ pool }),
		log: (event) => {
			if (captured.on && event.level === 'query') captured.queries.push(event.query);
		}
	});
}

interface PlanNode {
	'Node Type': string;
	'Index Name'?: string;
	'Index Cond'?: string;
	'Relation Name'?: string;
	'Actual Total Time'?: number;
	Plans?: PlanNode[];
}

/** A plan as one line: node types, with the index or table each reads. */
function describePlan(node: PlanNode): string {
	const target = node['Index Name'] ?? node['Relation Name'];
	const condition = node['Index Cond']
		?.replace(
			/\(NULLIF\(current_setting\('app\.tenant_id'::text, true\), ''::text\)\)::uuid/g,
			'app.tenant_id'
		)
		.replace(/'[0-9a-f-]{36}'::uuid/g, '…')
		.replace(/::(text|date|uuid|bigint)/g, '');
	const self = target
		? `${node['Node Type']}[${target}${condition ? ` on ${condition}` : ''}]`
		: node['Node Type'];
	const children = (node.Plans ?? []).map(describePlan);
	return children.length ? `${self} > (${children.join(', ')})` : self;
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)]!;
}

async function main() {
	const name = `certtrack_bench_${randomBytes(4).toString('hex')}`;
	const admin = createPostgresPool(SERVER, { max: 1 });
	await admin.query(`create database ${name}`);
	const captured = { on: false, queries: [] as CompiledQuery[] };
	const owner = connect(urlOf(name), captured);
	try {
		console.log(`database ${name}`);
		await migrateToLatest(owner);
		let started = performance.now();
		await seedBenchFindings(owner, BODIES);
		const counted = await sql<{
			n: string;
		}>`select count(*)::text as n from findings`.execute(owner);
		console.log(
			`seeded ${counted.rows[0]?.n} findings in ${((performance.now() - started) / 1000).toFixed(1)} s (incl. ANALYZE)`
		);

		const db = new AppDatabase({ kind: 'postgres', kysely: owner, close: async () => {} });
		const tenantId = (await sql<{ id: string }>`select md5('tenant1')::uuid as id`.execute(owner))
			.rows[0]!.id;
		const actor: Actor = {
			userId: (await sql<{ id: string }>`select md5('user1')::uuid as id`.execute(owner)).rows[0]!
				.id,
			email: 'bench-1@example.test',
			name: 'Evaluator 1',
			tenantId,
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
		const one = async <T>(query: RawBuilder<T>) => (await query.execute(owner)).rows[0]!;
		const deepRaised = await one(sql<{ raised_on: string; id: string }>`select raised_on, id
			from findings where tenant_id = ${tenantId} order by raised_on desc, id desc offset 400000 limit 1`);
		const deepDue = await one(sql<{ due_on: string; id: string }>`select due_on, id
			from findings where tenant_id = ${tenantId} and due_on is not null order by due_on, id offset 300000 limit 1`);
		const deepNoDue = await one(sql<{ id: string }>`select id
			from findings where tenant_id = ${tenantId} and due_on is null order by id offset 200000 limit 1`);
		const deepClosed = await one(sql<{ due_on: string; id: string }>`select due_on, id
			from findings where tenant_id = ${tenantId} and status = 'closed' and due_on is not null
			order by due_on, id offset 200000 limit 1`);
		const someOrganisation = await one(sql<{ id: string }>`select md5('org1-7')::uuid as id`);
		const someStandard = await one(sql<{ id: string }>`select md5('std1-3')::uuid as id`);
		const someEvaluation = await one(sql<{ id: string }>`select md5('eval1-12345')::uuid as id`);

		const scenarios: { label: string; filter: FindingFilter; cursor?: string }[] = [
			{ label: 'first page, newest first', filter: {} },
			{
				label: 'page 400,000 rows deep, newest first',
				filter: {},
				cursor: encodeFindingCursor({
					sort: 'raised',
					segment: 'all',
					key: { raisedOn: deepRaised.raised_on, id: deepRaised.id }
				})
			},
			{ label: 'first page, by due date', filter: { sort: 'due' } },
			{
				label: 'page 300,000 rows deep, by due date',
				filter: { sort: 'due' },
				cursor: encodeFindingCursor({
					sort: 'due',
					segment: 'due',
					key: { dueOn: deepDue.due_on, id: deepDue.id }
				})
			},
			{
				label: 'deep among findings without due date',
				filter: { sort: 'due' },
				cursor: encodeFindingCursor({
					sort: 'due',
					segment: 'no-due',
					key: { dueOn: null, id: deepNoDue.id }
				})
			},
			{ label: 'first page, by status', filter: { sort: 'status' } },
			{
				label: 'deep among closed findings, by status',
				filter: { sort: 'status' },
				cursor: encodeFindingCursor({
					sort: 'status',
					segment: 'closed:due',
					key: { dueOn: deepClosed.due_on, id: deepClosed.id }
				})
			},
			{ label: 'status = evidence_submitted', filter: { status: 'evidence_submitted' } },
			{
				label: 'status = open, by due date',
				filter: { status: 'open', sort: 'due' }
			},
			{ label: 'grade = major', filter: { grade: 'major' } },
			{ label: 'kind = observation', filter: { kind: 'observation' } },
			{ label: 'standard', filter: { standardId: someStandard.id } },
			{ label: 'organisation', filter: { organisationId: someOrganisation.id } },
			{ label: 'evaluation', filter: { evaluationId: someEvaluation.id } },
			{ label: 'overdue, newest first', filter: { overdue: true } },
			{ label: 'overdue, by due date', filter: { overdue: true, sort: 'due' } },
			{ label: 'overdue, by status', filter: { overdue: true, sort: 'status' } },
			{ label: 'search 派工单 (Chinese)', filter: { search: '派工单' } },
			{ label: 'search "dispatch log" (English)', filter: { search: 'dispatch log' } },
			{ label: 'search reference NC-12', filter: { search: 'NC-12' } },
			{ label: 'search clause 5.3', filter: { search: '5.3' } },
			{ label: 'search a rare word (stops at scan limit)', filter: { search: 'zebra-rare' } },
			{
				label: 'search 锅炉 + organisation',
				filter: { search: '锅炉', organisationId: someOrganisation.id }
			}
		];

		console.log(`\nmedian of ${RUNS} runs, ms — as ${actor.role} in body 1 (600,000 findings)\n`);
		for (const scenario of scenarios) {
			const cursor = scenario.cursor ?? null;
			await listFindings(db, actor, scenario.filter, cursor); // warm-up
			const times: number[] = [];
			let rows = 0;
			let stopped = false;
			for (let run = 0; run < RUNS; run++) {
				started = performance.now();
				const page = await listFindings(db, actor, scenario.filter, cursor);
				times.push(performance.now() - started);
				rows = page.rows.length;
				stopped = page.searchStopped;
			}
			captured.queries = [];
			captured.on = true;
			await listFindings(db, actor, scenario.filter, cursor);
			captured.on = false;
			const listQueries = captured.queries.filter(
				(query) =>
					/from "findings"|from "scan"/.test(query.sql) && !/"findings"\."id" in/.test(query.sql)
			);
			const plans: string[] = [];
			for (const query of listQueries) {
				const explained = await db.inTenant({ tenantId, userId: actor.userId }, (tx) =>
					tx.executeQuery<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }] }>(
						CompiledQuery.raw(`explain (analyze, format json) ${query.sql}`, [...query.parameters])
					)
				);
				const plan = explained.rows[0]!['QUERY PLAN'][0];
				plans.push(`${describePlan(plan.Plan)}  (${plan['Execution Time'].toFixed(1)} ms)`);
			}
			console.log(
				`${median(times).toFixed(1).padStart(7)} ms  ${scenario.label} — ${rows} rows${stopped ? ', search stopped at the scan limit' : ''}, ${listQueries.length} list quer${listQueries.length === 1 ? 'y' : 'ies'}`
			);
			for (const plan of plans.slice(0, 4)) console.log(`             ${plan}`);
			if (plans.length > 4) console.log(`             … ${plans.length - 4} more`);
		}
	} finally {
		await owner.destroy();
		await admin.query(`drop database if exists ${name} with (force)`);
		await admin.end();
		console.log(`\ndropped ${name}`);
	}
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
