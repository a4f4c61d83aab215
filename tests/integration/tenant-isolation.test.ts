import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { newMembership, newPerson, newTenant } from '../support/factories';
import { populateTenant } from '../support/populate';
import type { Tx } from '../../src/lib/server/db/tenant-scope';

/*
 * Row-level security itself, table by table: every query here is raw SQL, not an app repository,
 * so what is proved is that PostgreSQL refuses, whatever the application code asks for.
 */

/**
 * Tables with a tenant_id that no tenant owns, each with why. Adding one here is a decision to
 * review, not a way to quiet the checks.
 */
const NOT_TENANT_OWNED: Record<string, string> = {
	// A session is a person's, across tenants; tenant_id is the one it currently acts in (null
	// until chosen). Reached only by its secret's hash, before any tenant is set.
	sessions: 'the tenant a global session acts in'
};

/**
 * The tenant-owned tables, as PostgreSQL's catalogue lists them: every table of schema public
 * with a tenant_id column. Not the list the migration created the policies from, so a new table
 * that a migration forgot to put under row-level security is still tried here (and fails).
 */
async function tenantTablesOf(db: TestDatabase['owner']): Promise<string[]> {
	const { rows } = await sql<{ table: string }>`
	   select c.relname as table from pg_class c
	   join pg_namespace n on n.oid = c.relnamespace
	   join pg_attribute a on a.attrelid = c.oid
	   where n.nspname = 'public' and c.relkind in ('r', 'p')
	     and a.attname = 'tenant_id' and not a.attisdropped
	   order by 1`.execute(db);
	return rows.map((row) => row.table).filter((table) => !(table in NOT_TENANT_OWNED));
}

// The suites below are one per table, so the list is read before they are collected.
const catalogue = await createTestDatabase('pglite');
const TENANT_TABLES = await tenantTablesOf(catalogue.owner);
await catalogue.drop();

/**
 * Tables the app role may append to but never delete from (a revoked calendar feed is kept,
 * revoked_at set, as the audit log's entries point at it; a certificate number counter never
 * goes back, or its numbers would be handed out again).
 */
const APPEND_ONLY = new Set<string>([
	'audit_log',
	'audit_chain_heads',
	'reminders',
	'calendar_feeds',
	// A generated PDF stays genuine: its record is never changed or removed.
	'documents',
	'certificate_number_counters',
	// An objective's replaced version is its change record (issue 12 item 5).
	'service_objective_versions',
	// What a complainant attached is part of what they said (issue 13 item 4).
	'complaint_files'
]);

/** Tables whose rows their own person reads before a tenant is chosen. */
const PERSONAL = new Set<string>(['memberships', 'membership_invitations']);

/** Tables the app role may only read: the audit trigger, running as the owner, moves the chain head. */
const READ_ONLY = new Set<string>(['audit_chain_heads']);
/** Tables the app role may never update: a fired reminder is a fact, kept as it was written. */
const NO_UPDATE = new Set<string>([
	...READ_ONLY,
	'reminders',
	'documents',
	'service_objective_versions',
	'complaint_files'
]);

const RLS_REFUSAL = /row-level security/i;
const PERMISSION_REFUSAL = /permission denied/i;

async function countRows(
	tx: Tx | TestDatabase['owner'],
	table: string,
	tenantId?: string
): Promise<number> {
	const where = tenantId === undefined ? sql`` : sql`where tenant_id = ${tenantId}`;
	const { rows } = await sql<{
		n: number;
	}>`select count(*)::int as n from ${sql.table(table)} ${where}`.execute(tx);
	const [row] = rows;
	if (!row) throw new Error(`no count from ${table}`);
	return row.n;
}

describe.each(DIALECTS)('tenant isolation on %s', (kind) => {
	let t: TestDatabase;
	let A: string;
	let B: string;
	let C: string;
	/** The person populateTenant made in A (a member of A only). */
	let personOfA: string;
	/** A member of both A and B. */
	let personOfBoth: string;
	/** A person with no membership at all. */
	let outsider: string;

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		A = (await newTenant(t, 'Body A')).id;
		B = (await newTenant(t, 'Body B')).id;
		// A tenant nobody here belongs to, so "the tenants they belong to" is not "all tenants".
		C = (await newTenant(t, 'Body C')).id;
		personOfA = (await populateTenant(t, A)).person.id;
		await populateTenant(t, B);
		personOfBoth = (await newPerson(t)).id;
		await newMembership(t, A, personOfBoth, 'evaluator');
		await newMembership(t, B, personOfBoth, 'evaluator');
		outsider = (await newPerson(t)).id;
	});

	afterAll(async () => {
		await t?.drop();
	});

	it('lists the same tenant tables in its catalogue as the one the suites were made from', async () => {
		// An empty list would mean the catalogue query is wrong, and every table went untried.
		expect(TENANT_TABLES.length).toBeGreaterThan(20);
		expect(await tenantTablesOf(t.owner)).toEqual(TENANT_TABLES);
	});

	describe.each(TENANT_TABLES)('%s', (table) => {
		it('has row-level security enabled and forced, with a policy', async () => {
			const { rows } = await sql<{ enabled: boolean; forced: boolean; policies: number }>`
			   select c.relrowsecurity as enabled, c.relforcerowsecurity as forced,
			     (select count(*)::int from pg_policy p where p.polrelid = c.oid) as policies
			   from pg_class c where c.oid = to_regclass(${`public.${table}`})`.execute(t.owner);
			expect(rows).toHaveLength(1);
			expect(rows[0]).toMatchObject({ enabled: true, forced: true });
			expect(rows[0]!.policies).toBeGreaterThan(0);
		});

		it('holds rows of both tenants, as the owner sees', async () => {
			expect(await countRows(t.owner, table, A)).toBeGreaterThan(0);
			expect(await countRows(t.owner, table, B)).toBeGreaterThan(0);
		});

		it("inside A's scope shows A's rows and none of B's", async () => {
			const counts = await t.db.inTenant({ tenantId: A, userId: personOfA }, async (tx) => {
				const ofB = await countRows(tx, table, B);
				const ofA = await countRows(tx, table, A);
				const { rows } = await sql<{
					all: number;
					foreign: number;
				}>`select count(*)::int as all, count(*) filter (where tenant_id <> ${A})::int as foreign
				   from ${sql.table(table)}`.execute(tx);
				return { ofB, ofA, ...rows[0] };
			});
			expect(counts.ofB).toBe(0);
			expect(counts.foreign).toBe(0);
			expect(counts.ofA).toBeGreaterThan(0);
			expect(counts.all).toBe(counts.ofA);
			expect(counts.ofA).toBe(await countRows(t.owner, table, A));
		});

		it("inside A's scope refuses to insert a copy of B's row", async () => {
			const { rows } = await sql<{
				row: unknown;
			}>`select to_jsonb(x) as row from ${sql.table(table)} x where tenant_id = ${B} limit 1`.execute(
				t.owner
			);
			expect(rows).toHaveLength(1);
			const before = await countRows(t.owner, table, B);
			const attempt = t.db.inTenant({ tenantId: A, userId: personOfA }, (tx) =>
				sql`insert into ${sql.table(table)}
				    select * from jsonb_populate_record(null::${sql.table(table)}, ${JSON.stringify(rows[0]?.row)}::text::jsonb)`.execute(
					tx
				)
			);
			if (table === 'audit_log') {
				// Its chain trigger may refuse first; any refusal will do, but it must fail.
				await expect(attempt).rejects.toThrow();
			} else if (READ_ONLY.has(table)) {
				await expect(attempt).rejects.toThrow(PERMISSION_REFUSAL);
			} else {
				await expect(attempt).rejects.toThrow(RLS_REFUSAL);
			}
			expect(await countRows(t.owner, table, B)).toBe(before);
		});

		it("with no tenant set refuses to insert a copy of A's row", async () => {
			const { rows } = await sql<{
				row: unknown;
			}>`select to_jsonb(x) as row from ${sql.table(table)} x where tenant_id = ${A} limit 1`.execute(
				t.owner
			);
			expect(rows).toHaveLength(1);
			const attempt = t.db.asPerson(personOfA, (tx) =>
				sql`insert into ${sql.table(table)}
				    select * from jsonb_populate_record(null::${sql.table(table)}, ${JSON.stringify(rows[0]?.row)}::text::jsonb)`.execute(
					tx
				)
			);
			if (table === 'audit_log') await expect(attempt).rejects.toThrow();
			else if (READ_ONLY.has(table)) await expect(attempt).rejects.toThrow(PERMISSION_REFUSAL);
			else await expect(attempt).rejects.toThrow(RLS_REFUSAL);
		});

		if (NO_UPDATE.has(table)) {
			it('refuses the app role any update', async () => {
				for (const tenantId of [A, B])
					await expect(
						t.db.inTenant({ tenantId: A, userId: personOfA }, (tx) =>
							sql`update ${sql.table(table)} set tenant_id = tenant_id where tenant_id = ${tenantId}`.execute(
								tx
							)
						)
					).rejects.toThrow(PERMISSION_REFUSAL);
			});
		} else if (table !== 'audit_log') {
			it("inside A's scope updates none of B's rows", async () => {
				const updated = await t.db.inTenant({ tenantId: A, userId: personOfA }, async (tx) => {
					const { rows } = await sql`update ${sql.table(table)} set tenant_id = tenant_id
					   where tenant_id = ${B} returning tenant_id`.execute(tx);
					return rows.length;
				});
				expect(updated).toBe(0);
			});

			it("inside A's scope refuses to move A's row to B", async () => {
				await expect(
					t.db.inTenant({ tenantId: A, userId: personOfA }, (tx) =>
						sql`update ${sql.table(table)} set tenant_id = ${B} where tenant_id = ${A}`.execute(tx)
					)
				).rejects.toThrow(RLS_REFUSAL);
				expect(await countRows(t.owner, table, A)).toBeGreaterThan(0);
			});
		}

		if (APPEND_ONLY.has(table)) {
			it('refuses the app role any delete', async () => {
				await expect(
					t.db.inTenant({ tenantId: A, userId: personOfA }, (tx) =>
						sql`delete from ${sql.table(table)} where tenant_id = ${B}`.execute(tx)
					)
				).rejects.toThrow(PERMISSION_REFUSAL);
				await expect(
					t.db.inTenant({ tenantId: A, userId: personOfA }, (tx) =>
						sql`delete from ${sql.table(table)} where tenant_id = ${A}`.execute(tx)
					)
				).rejects.toThrow(PERMISSION_REFUSAL);
				expect(await countRows(t.owner, table, A)).toBeGreaterThan(0);
				expect(await countRows(t.owner, table, B)).toBeGreaterThan(0);
			});
		} else {
			it("inside A's scope deletes none of B's rows", async () => {
				const before = await countRows(t.owner, table, B);
				const deleted = await t.db.inTenant({ tenantId: A, userId: personOfA }, async (tx) => {
					const { rows } = await sql`delete from ${sql.table(table)}
					   where tenant_id = ${B} returning tenant_id`.execute(tx);
					return rows.length;
				});
				expect(deleted).toBe(0);
				expect(await countRows(t.owner, table, B)).toBe(before);
			});
		}

		it('with no tenant and no person set shows nothing', async () => {
			expect(await t.db.asPerson(null, (tx) => countRows(tx, table))).toBe(0);
		});

		it('with no tenant set shows a person without memberships nothing', async () => {
			expect(await t.db.asPerson(outsider, (tx) => countRows(tx, table))).toBe(0);
		});

		// A person sees their own memberships and invitations before choosing a tenant (tested
		// below and in people-invitations.test.ts); every other table shows them nothing.
		if (!PERSONAL.has(table)) {
			it('with no tenant set shows even a member of both tenants nothing', async () => {
				expect(await t.db.asPerson(personOfBoth, (tx) => countRows(tx, table))).toBe(0);
				expect(await t.db.asPerson(personOfA, (tx) => countRows(tx, table))).toBe(0);
			});
		}
	});

	describe('memberships before a tenant is chosen', () => {
		it('shows a person exactly their own memberships, across tenants', async () => {
			const rows = await t.db.asPerson(personOfBoth, async (tx) => {
				const { rows } = await sql<{
					tenant_id: string;
					user_id: string;
				}>`select tenant_id, user_id from memberships order by tenant_id`.execute(tx);
				return rows;
			});
			expect(rows).toHaveLength(2);
			expect(rows.every((row) => row.user_id === personOfBoth)).toBe(true);
			expect(rows.map((row) => row.tenant_id).sort()).toEqual([A, B].sort());
		});

		it('shows the person of A only their one membership', async () => {
			const rows = await t.db.asPerson(personOfA, async (tx) => {
				const { rows } = await sql<{
					tenant_id: string;
					user_id: string;
				}>`select tenant_id, user_id from memberships`.execute(tx);
				return rows;
			});
			expect(rows).toEqual([{ tenant_id: A, user_id: personOfA }]);
		});

		it('refuses to insert a membership for oneself', async () => {
			await expect(
				t.db.asPerson(outsider, (tx) =>
					sql`insert into memberships (tenant_id, user_id, role) values (${A}, ${outsider}, 'admin')`.execute(
						tx
					)
				)
			).rejects.toThrow(RLS_REFUSAL);
		});

		it('does not let a person update or delete even their own membership', async () => {
			const changed = await t.db.asPerson(personOfBoth, async (tx) => {
				const updated = await sql`update memberships set role = 'admin'
				   where user_id = ${personOfBoth} returning 1`.execute(tx);
				const deleted = await sql`delete from memberships
				   where user_id = ${personOfBoth} returning 1`.execute(tx);
				return updated.rows.length + deleted.rows.length;
			});
			expect(changed).toBe(0);
		});
	});

	describe('tenants', () => {
		async function visibleTenants(
			scope: (work: (tx: Tx) => Promise<string[]>) => Promise<string[]>
		) {
			const ids = await scope(async (tx) => {
				const { rows } = await sql<{ id: string }>`select id from tenants`.execute(tx);
				return rows.map((row) => row.id);
			});
			return ids.sort();
		}

		it('the owner sees all three', async () => {
			expect(await countRows(t.owner, 'tenants')).toBe(3);
		});

		it('with no person set, none is visible', async () => {
			expect(await visibleTenants((work) => t.db.asPerson(null, work))).toEqual([]);
		});

		it('a person without memberships sees none', async () => {
			expect(await visibleTenants((work) => t.db.asPerson(outsider, work))).toEqual([]);
		});

		it('a person sees exactly the tenants they belong to', async () => {
			expect(await visibleTenants((work) => t.db.asPerson(personOfBoth, work))).toEqual(
				[A, B].sort()
			);
			expect(await visibleTenants((work) => t.db.asPerson(personOfA, work))).toEqual([A]);
		});

		it("inside a tenant's scope only that tenant is visible", async () => {
			expect(
				await visibleTenants((work) => t.db.inTenant({ tenantId: A, userId: personOfBoth }, work))
			).toEqual([A]);
			expect(
				await visibleTenants((work) => t.db.inTenant({ tenantId: C, userId: personOfBoth }, work))
			).toEqual([C]);
		});

		it('the app role changes no tenant row but as an active admin of its own (issue 12 item 8)', async () => {
			// personOfA is an organisation's admin: their own tenant's row does not move.
			const own = await t.db.inTenant({ tenantId: A, userId: personOfA }, (tx) =>
				sql`update tenants set name = 'taken' where id = ${A}`.execute(tx)
			);
			expect(Number(own.numAffectedRows ?? 0)).toBe(0);
			// Another tenant's row is out of reach in any scope.
			const other = await t.db.inTenant({ tenantId: A, userId: personOfBoth }, (tx) =>
				sql`update tenants set name = 'taken' where id = ${B}`.execute(tx)
			);
			expect(Number(other.numAffectedRows ?? 0)).toBe(0);
			// Columns outside the settings are never the app role's to write.
			await expect(
				t.db.inTenant({ tenantId: A, userId: personOfA }, (tx) =>
					sql`update tenants set id = gen_random_uuid() where id = ${A}`.execute(tx)
				)
			).rejects.toThrow(PERMISSION_REFUSAL);
			const names = await t.owner
				.selectFrom('tenants')
				.select('name')
				.where('id', 'in', [A, B])
				.execute();
			expect(names.map((row) => row.name)).not.toContain('taken');
		});
	});
});
