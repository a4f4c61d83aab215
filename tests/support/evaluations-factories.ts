import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { TestDatabase } from './databases';
import { actorOf } from './factories';
import { getStandard } from '../../src/lib/server/services/standards';
import { updateSchemeRules } from '../../src/lib/server/services/scheme-rules';

/*
 * Small factories for evaluations and findings tests: a standard with clauses, a certificate,
 * scheme rules.
 *
 * The standard and the certificate go in directly: their callers arrange them before the tenant
 * has anyone who could create them (the services act as a person; a made-up admin would join
 * the team candidates and member lists the tests check), and newStandard takes clause numbers
 * without their parents ('4.1' with no '4'), in the order listed, which addClause refuses.
 */

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

/**
 * Saves scheme rules for a standard (what is not given stays as it was, the defaults at first),
 * through the catalogue service as one of the tenant's admins. Only a tenant without an admin
 * yet gets them directly.
 */
export async function setSchemeRules(
	t: TestDatabase,
	tenantId: string,
	standardId: string,
	rules: { major_due_days?: number; minor_due_days?: number; max_surveillance_gap_months?: number }
) {
	const adminRow = await t.owner
		.selectFrom('memberships')
		.select('user_id')
		.where('tenant_id', '=', tenantId)
		.where('role', '=', 'admin')
		.orderBy('created_at')
		.executeTakeFirst();
	if (!adminRow) {
		await t.db.inTenant({ tenantId, userId: null }, (tx) =>
			tx
				.insertInto('scheme_rules')
				.values({ tenant_id: tenantId, standard_id: standardId, ...rules })
				.onConflict((oc) => oc.columns(['tenant_id', 'standard_id']).doUpdateSet(rules))
				.execute()
		);
		return;
	}
	const admin = await actorOf(t, tenantId, adminRow.user_id);
	const {
		version,
		saved: _saved,
		...current
	} = (await getStandard(t.db, admin, standardId)).schemeRules;
	await updateSchemeRules(t.db, admin, standardId, version, {
		...current,
		majorDueDays: rules.major_due_days ?? current.majorDueDays,
		minorDueDays: rules.minor_due_days ?? current.minorDueDays,
		maxSurveillanceGapMonths: rules.max_surveillance_gap_months ?? current.maxSurveillanceGapMonths
	});
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
