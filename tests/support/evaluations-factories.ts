import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { TestDatabase } from './databases';

/* Small factories for evaluations and findings tests: a standard with clauses, a certificate. */

const unique = () => randomBytes(3).toString('hex');

/** A standard with the given clause numbers (sorted as listed), in `tenantId`. */
export async function newStandard(
	t: TestDatabase,
	tenantId: string,
	clauseNumbers: string[] = ['4.1', '4.2', '5.1'],
	code = `GB/T ${unique()}`
) {
	return t.db.inTenant({ tenantId, userId: null }, async (tx) => {
		const standard = await tx
			.insertInto('standards')
			.values({ tenant_id: tenantId, code, title_zh: `标准 ${code}`, title_en: `Standard ${code}` })
			.returningAll()
			.executeTakeFirstOrThrow();
		const clauses = [];
		for (const [index, number] of clauseNumbers.entries()) {
			clauses.push(
				await tx
					.insertInto('clauses')
					.values({
						tenant_id: tenantId,
						standard_id: standard.id,
						number,
						title_zh: `条款 ${number}`,
						title_en: `Clause ${number}`,
						sort_key: String(index).padStart(4, '0')
					})
					.returningAll()
					.executeTakeFirstOrThrow()
			);
		}
		return { ...standard, clauses };
	});
}

export async function newCertificate(
	t: TestDatabase,
	tenantId: string,
	organisationId: string,
	standardId: string,
	dates: { issuedOn?: string; decidedOn?: string } = {}
) {
	const issuedOn = dates.issuedOn ?? '2026-01-10';
	return t.db.inTenant({ tenantId, userId: null }, (tx) =>
		tx
			.insertInto('certificates')
			.values({
				tenant_id: tenantId,
				number: `C-${unique()}`,
				organisation_id: organisationId,
				standard_id: standardId,
				scope: 'After-sales service',
				issued_on: issuedOn,
				expires_on: '2029-01-09',
				decided_on: dates.decidedOn ?? issuedOn
			})
			.returningAll()
			.executeTakeFirstOrThrow()
	);
}

/** Saves scheme rules for a standard (defaults for what is not given). */
export async function setSchemeRules(
	t: TestDatabase,
	tenantId: string,
	standardId: string,
	rules: { major_due_days?: number; minor_due_days?: number; max_surveillance_gap_months?: number }
) {
	await t.db.inTenant({ tenantId, userId: null }, (tx) =>
		tx
			.insertInto('scheme_rules')
			.values({ tenant_id: tenantId, standard_id: standardId, ...rules })
			.onConflict((oc) => oc.columns(['tenant_id', 'standard_id']).doUpdateSet(rules))
			.execute()
	);
}

/** The audit actions written about one entity, oldest first (read as the owner). */
export async function auditActions(t: TestDatabase, entityId: string): Promise<string[]> {
	const rows = await t.owner
		.selectFrom('audit_log')
		.select('action')
		.where('entity_id', '=', entityId)
		.orderBy('seq')
		.execute();
	return rows.map((row) => row.action);
}

export async function auditCount(t: TestDatabase, tenantId: string): Promise<number> {
	const row = await sql<{
		n: number;
	}>`select count(*)::int as n from audit_log where tenant_id = ${tenantId}`.execute(t.owner);
	return row.rows[0]?.n ?? 0;
}
