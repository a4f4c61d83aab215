/*
 * Bulk data for the benchmarks: certification bodies with organisations, standards, clauses,
 * evaluations and findings, written by generate_series in one transaction (a million findings in
 * about a minute), then ANALYZEd. Ids are md5-derived ('tenant' || n, 'user' || n, 'org' || n || '-' || k …)
 * so a benchmark can name what it reads without a lookup. Used by scripts/bench-findings.ts and
 * scripts/bench-api.ts.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema';

/** One body: its number (ids derive from it), how many findings and organisations it holds. */
export interface BenchBody {
	n: number;
	findings: number;
	organisations: number;
}

/** About 40 findings per evaluation. */
export const PER_EVALUATION = 40;

export async function seedBenchFindings(owner: Kysely<Database>, BODIES: BenchBody[]) {
	await owner.transaction().execute(async (tx) => {
		// Bulk load: foreign keys are known good here, so skip their per-row triggers.
		await sql`set local session_replication_role = replica`.execute(tx);
		const bodies = sql.raw(
			`(values ${BODIES.map((b) => `(${b.n}, ${b.findings}, ${b.organisations}, ${Math.max(1, Math.ceil(b.findings / PER_EVALUATION))})`).join(', ')}) as b(t, findings, orgs, evals)`
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
