/*
 * How long the figures take on a large body (issue 11): 100,000 nonconformities by default
 * (`BENCH_FINDINGS`) over 500 organisations, 3 standards × 100 clauses, in one tenant beside a
 * second tenant of the same size (row-level security keeps it out). Prints, does not assert;
 * creates and drops its own PostgreSQL database. `npm run bench:figures`.
 */
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { sql } from 'kysely';
import { createTestDatabase } from '../tests/support/databases';
import { newActor, newTenant } from '../tests/support/factories';
import { bodyFigures, organisationFigures } from '../src/lib/server/services/figures';
import * as repo from '../src/lib/server/repositories/figures';

const FINDINGS = Number(process.env.BENCH_FINDINGS ?? 100_000);
const RUNS = 7;
const NOW = new Date('2026-12-01T04:00:00Z');

async function median(run: () => Promise<unknown>) {
	const times: number[] = [];
	for (let i = 0; i < RUNS; i++) {
		const start = performance.now();
		await run();
		times.push(performance.now() - start);
	}
	times.sort((a, b) => a - b);
	return times[Math.floor(RUNS / 2)]!;
}

async function main() {
	console.log(`load average at start: ${loadavg()[0]!.toFixed(1)}`);
	const t = await createTestDatabase('postgres');
	try {
		const tenants = [await newTenant(t), await newTenant(t)];
		const admin = await newActor(t, tenants[0]!.id, 'admin');
		const k = t.owner;
		const arranged = performance.now();
		for (const tenant of tenants) {
			await sql`insert into organisations (tenant_id, legal_name, uscc)
				select ${tenant.id}::uuid, 'Org ' || n, '91350206' || lpad(n::text, 9, '0') || 'X'
				from generate_series(1, 500) n`.execute(k);
			await sql`insert into standards (tenant_id, code, title_zh)
				select ${tenant.id}::uuid, 'S-' || n, 'S' from generate_series(1, 3) n`.execute(k);
			await sql`insert into clauses (tenant_id, standard_id, number, title_zh, sort_key)
				select s.tenant_id, s.id, '4.' || n, 'c', lpad(n::text, 3, '0')
				from standards s cross join generate_series(1, 100) n where s.tenant_id = ${tenant.id}::uuid`.execute(
				k
			);
			await sql`insert into evaluations
					(tenant_id, kind, organisation_id, standard_id, window_start, window_end, status, report_issued_at)
				select o.tenant_id, 'initial', o.id,
					(select id from standards s where s.tenant_id = o.tenant_id order by s.code offset (n % 3) limit 1),
					d, d + 2, 'report_issued', (d + 3)::timestamp at time zone 'Asia/Shanghai'
				from organisations o cross join generate_series(1, 10) n
				cross join lateral (select date '2025-12-01' + ((n * 37 + length(o.legal_name)) % 360) as d) w
				where o.tenant_id = ${tenant.id}::uuid`.execute(k);
			await sql`insert into findings
					(tenant_id, evaluation_id, reference, kind, grade, clause_id, statement, raised_by,
					 raised_on, due_on, status, closed_at)
				select e.tenant_id, e.id, 'NC-' || n, 'nonconformity',
					case when n % 5 = 0 then 'major' else 'minor' end,
					(select c.id from clauses c where c.standard_id = e.standard_id and c.tenant_id = e.tenant_id
						order by c.sort_key offset ((n * 7) % 100) limit 1),
					'x', ${admin.userId}::uuid, e.window_start + 1, e.window_start + 31,
					case when n % 3 = 0 then 'closed' else 'open' end,
					case when n % 3 = 0 then (e.window_start + 5 + n % 60)::timestamp else null end
				from evaluations e cross join generate_series(1, ${Math.ceil(FINDINGS / 5000)}::int) n
				where e.tenant_id = ${tenant.id}::uuid`.execute(k);
		}
		await sql`analyze`.execute(k);
		const count = await sql<{ n: string }>`select count(*) as n from findings`.execute(k);
		console.log(
			`arranged ${count.rows[0]!.n} findings in 2 tenants in ${Math.round(performance.now() - arranged)} ms`
		);
		const period = { from: '2025-12-01', to: '2026-12-01' };
		const organisation = await sql<{ id: string }>`select id from organisations
			where tenant_id = ${tenants[0]!.id}::uuid limit 1`.execute(k);
		const body = await median(() => bodyFigures(t.db, admin, period, NOW));
		const one = await median(() => organisationFigures(t.db, admin, organisation.rows[0]!.id, NOW));
		const f = await bodyFigures(t.db, admin, period, NOW);
		const open = f.byGrade.reduce((sum, row) => sum + row.open, 0);
		console.log(
			`bodyFigures (9 aggregates, one transaction): median of ${RUNS} ${body.toFixed(0)} ms`
		);
		console.log(`organisationFigures (3 aggregates): median of ${RUNS} ${one.toFixed(1)} ms`);
		console.log(`open nonconformities counted in the tenant: ${open}`);
		// Each figure's statement alone, to see which one costs what.
		const scope = { organisationId: null, visibleStatuses: null };
		const zone = 'Asia/Shanghai';
		const today = '2026-12-01';
		const each: [
			string,
			(tx: Parameters<Parameters<typeof t.db.inTenant>[1]>[0]) => Promise<unknown>
		][] = [
			['by grade', (tx) => repo.openNonconformitiesByGrade(tx, scope, today)],
			['by standard', (tx) => repo.openNonconformitiesByStandard(tx, scope, today)],
			['by clause', (tx) => repo.openNonconformitiesByClause(tx, scope, today, 15)],
			['by organisation', (tx) => repo.openNonconformitiesByOrganisation(tx, scope, today, 15)],
			['overdue by days', (tx) => repo.overdueNonconformitiesByDays(tx, scope, today)],
			['close by standard', (tx) => repo.closeDaysByStandard(tx, scope, period, zone)],
			['close by evaluator', (tx) => repo.closeDaysByEvaluator(tx, scope, period, zone)],
			['evaluations by month', (tx) => repo.evaluationsByMonth(tx, period, zone)],
			['certificates', (tx) => repo.certificatesByStatusAndGrade(tx, scope)]
		];
		for (const [name, query] of each) {
			const ms = await median(() =>
				t.db.inTenant({ tenantId: tenants[0]!.id, userId: admin.userId }, query)
			);
			console.log(`  ${name}: ${ms.toFixed(1)} ms`);
		}
		console.log(`load average at end: ${loadavg()[0]!.toFixed(1)}`);
	} finally {
		await t.drop();
	}
}

await main();
