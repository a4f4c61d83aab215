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
const BODIES = [
	{ n: 1, findings: 600_000, organisations: 2_000 },
	{ n: 2, findings: 300_000, organisations: 1_000 },
	{ n: 3, findings: 100_000, organisations: 300 }
];
const PER_EVALUATION = 40;

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

async function seed(owner: Kysely<Database>) {
	await owner.transaction().execute(async (tx) => {
		// Bulk load: foreign keys are known good here, so skip their per-row triggers.
		await sql`set local session_replication_role = replica`.execute(tx);
		const bodies = sql.raw(
			`(values ${BODIES.map((b) => `(${b.n}, ${b.findings}, ${b.organisations}, ${Math.ceil(b.findings / PER_EVALUATION)})`).join(', ')}) as b(t, findings, orgs, evals)`
		);
		await sql`insert into tenants (id, slug, name)
			select md5('tenant' || t)::uuid, 'bench-' || t, 'Bench body ' || t from ${bodies}`.execute(tx);
		await sql`insert into users (id, email, name)
			select md5('user' || t)::uuid, 'bench-' || t || '@example.test', 'Evaluator ' || t from ${bodies}`.execute(
			tx
		);
		await sql`insert into memberships (tenant_id, user_id, role)
			select md5('tenant' || t)::uuid, md5('user' || t)::uuid, 'evaluator' from ${bodies}`.execute(tx);
		await sql`insert into organisations (tenant_id, id, legal_name, uscc)
			select md5('tenant' || t)::uuid, md5('org' || t || '-' || n)::uuid,
			       '厦门组织 Organisation ' || t || '-' || n, lpad((t * 1000000 + n)::text, 18, '0')
			from ${bodies}, generate_series(1, orgs) n`.execute(tx);
		await sql`insert into standards (tenant_id, id, code, title_zh, title_en)
			select md5('tenant' || t)::uuid, md5('std' || t || '-' || s)::uuid, 'GB/T 2792' || s,
			       '服务标准 ' || s, 'Service standard ' || s
			from ${bodies}, generate_series(1, 8) s`.execute(tx);
		await sql`insert into clauses (tenant_id, id, standard_id, number, title_zh, sort_key)
			select md5('tenant' || t)::uuid, md5('clause' || t || '-' || s || '-' || c)::uuid,
			       md5('std' || t || '-' || s)::uuid, (4 + c / 10) || '.' || (c % 10 + 1),
			       '条款 ' || c, lpad(c::text, 4, '0')
			from ${bodies}, generate_series(1, 8) s, generate_series(0, 29) c`.execute(tx);
		await sql`insert into evaluations (tenant_id, id, kind, organisation_id, standard_id,
			         window_start, window_end, status)
			select md5('tenant' || t)::uuid, md5('eval' || t || '-' || n)::uuid, 'initial',
			       md5('org' || t || '-' || (n % orgs + 1))::uuid, md5('std' || t || '-' || (n % 8 + 1))::uuid,
			       date '2023-01-01' + (n * 1090 / evals), date '2023-01-02' + (n * 1090 / evals),
			       case when n > evals - 20 then 'in_progress' else 'report_issued' end
			from ${bodies}, generate_series(1, evals) n`.execute(tx);
		await sql`insert into findings (tenant_id, evaluation_id, reference, kind, grade, clause_id,
			         statement, objective_evidence, raised_by, raised_on, due_on, status)
			select md5('tenant' || t)::uuid, md5('eval' || t || '-' || e)::uuid,
			       (case when g % 10 < 6 then 'NC-' when g % 10 < 8 then 'OBS-' else 'OFI-' end) || (g % ${PER_EVALUATION} + 1),
			       case when g % 10 < 6 then 'nonconformity' when g % 10 < 8 then 'observation' else 'opportunity' end,
			       case when g % 10 < 6 then (case when g % 7 = 0 then 'major' else 'minor' end) end,
			       case when g % 10 <> 9 then md5('clause' || t || '-' || (e % 8 + 1) || '-' || (g % 30))::uuid end,
			       (array['未按规定保存派工单记录，部分记录缺失',
			              'Complaint handling records are incomplete for the last quarter',
			              '售后服务人员培训记录不完整',
			              'Customer satisfaction survey was not analysed',
			              '投诉处理时限超过承诺时限',
			              'Spare parts inventory is not reconciled monthly',
			              '锅炉维修服务未进行回访',
			              'Dispatch log does not record the technician'])[1 + g % 8] || ' #' || g
			         || case when g % 250000 = 17 then ' zebra-rare' else '' end,
			       (array['抽查 2025 年 6 月工单 12 份，3 份无客户签字', 'Sampled 10 work orders; 2 lacked sign-off',
			              '现场询问服务人员', 'Interviewed the service manager'])[1 + g % 4],
			       md5('user' || t)::uuid, date '2023-01-01' + (e * 1090 / evals),
			       case when g % 10 < 6 then date '2023-01-01' + (e * 1090 / evals) + (case when g % 7 = 0 then 30 else 90 end) end,
			       case when g % 100 < 70 then 'closed' when g % 100 < 80 then 'open'
			            when g % 100 < 87 then 'response_submitted' when g % 100 < 95 then 'action_in_progress'
			            else 'evidence_submitted' end
			from ${bodies}, generate_series(0, findings - 1) g, lateral (select g / ${PER_EVALUATION} + 1 as e) ev`.execute(
			tx
		);
	});
	await sql`analyze`.execute(owner);
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
		await seed(owner);
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
