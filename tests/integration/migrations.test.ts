import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { connectPostgres, type DatabaseConnection } from '../../src/lib/server/db/connection';
import { AppDatabase } from '../../src/lib/server/db/tenant-scope';
import { migrateToLatest } from '../../db/migrate';
import { migrations } from '../../db/migrations/index';
import * as tenantIsolation from '../../db/migrations/2026-11-26-02-tenant-isolation';
import { APP_ROLE } from '../../src/lib/server/db/roles';
import { newTenant } from '../support/factories';

/*
 * The migrations themselves: they apply from an empty database, every tenant-owned table is under
 * forced row-level security, the app role can neither bypass it nor own anything, and every
 * reference between tenant-owned rows carries the tenant.
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
 * Every table of schema public with a tenant_id column, from PostgreSQL's catalogue: not the
 * migration's own list, so a table a later migration adds without row-level security is caught.
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

// The table-by-table checks below are collected from this list, read before they run.
const catalogue = await createTestDatabase('pglite');
const TENANT_TABLES = await tenantTablesOf(catalogue.owner);
await catalogue.drop();

const RLS_TABLES = [...TENANT_TABLES, 'tenants'];

describe('the app role', () => {
	it('is named in db/roles.ts as the frozen migration created it', () => {
		expect(APP_ROLE).toBe(tenantIsolation.APP_ROLE);
	});

	it('covers in the first isolation migration only tables the catalogue still lists', () => {
		// Later migrations add tenant tables of their own (with their own policies, checked below
		// table by table): the first one's list is a subset of what the catalogue finds.
		for (const table of tenantIsolation.TENANT_TABLES) expect(TENANT_TABLES).toContain(table);
	});
});

describe.each(DIALECTS)('migrations on %s', (kind) => {
	let t: TestDatabase;

	beforeAll(async () => {
		t = await createTestDatabase(kind);
	});

	afterAll(async () => {
		await t?.drop();
	});

	it('apply from empty and record every migration in the Kysely migration table', async () => {
		const { rows } = await sql<{
			name: string;
		}>`select name from kysely_migration order by name`.execute(t.owner);
		expect(rows.map((row) => row.name)).toEqual(Object.keys(migrations).sort());
		expect(rows.map((row) => row.name).slice(0, 2)).toEqual([
			'2026-11-26-01-schema',
			'2026-11-26-02-tenant-isolation'
		]);
	});

	it('keep sessions (the one table with a tenant_id no tenant owns) out of row-level security', async () => {
		const { rows } = await sql<{ attnotnull: boolean }>`select a.attnotnull from pg_attribute a
		   where a.attrelid = to_regclass('public.sessions') and a.attname = 'tenant_id'`.execute(t.owner);
		expect(rows).toEqual([{ attnotnull: false }]);
	});

	it('have the same tenant tables in this database as the checks were collected from', async () => {
		expect(TENANT_TABLES.length).toBeGreaterThan(20);
		expect(await tenantTablesOf(t.owner)).toEqual(TENANT_TABLES);
	});

	it('apply nothing when run a second time', async () => {
		expect(await migrateToLatest(t.owner)).toEqual([]);
		const { rows } = await sql<{
			n: number;
		}>`select count(*)::int as n from kysely_migration`.execute(t.owner);
		expect(rows[0]?.n).toBe(Object.keys(migrations).length);
	});

	it.each(RLS_TABLES)('%s has row-level security enabled and forced', async (table) => {
		const { rows } = await sql<{
			relrowsecurity: boolean;
			relforcerowsecurity: boolean;
		}>`select relrowsecurity, relforcerowsecurity from pg_class
		   where oid = to_regclass(${`public.${table}`})`.execute(t.owner);
		expect(rows).toHaveLength(1);
		expect(rows[0]).toEqual({ relrowsecurity: true, relforcerowsecurity: true });
	});

	it.each(RLS_TABLES)('%s has at least one policy', async (table) => {
		const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_policy
		   where polrelid = to_regclass(${`public.${table}`})`.execute(t.owner);
		expect(rows[0]?.n).toBeGreaterThan(0);
	});

	it(`${APP_ROLE} is neither superuser nor able to bypass row-level security`, async () => {
		const { rows } = await sql<{
			rolsuper: boolean;
			rolbypassrls: boolean;
		}>`select rolsuper, rolbypassrls from pg_roles where rolname = ${APP_ROLE}`.execute(t.owner);
		expect(rows).toEqual([{ rolsuper: false, rolbypassrls: false }]);
	});

	it(`${APP_ROLE} owns no table`, async () => {
		const tables = await sql<{
			n: number;
		}>`select count(*)::int as n from pg_tables where tableowner = ${APP_ROLE}`.execute(t.owner);
		expect(tables.rows[0]?.n).toBe(0);
		const relations = await sql<{ n: number }>`select count(*)::int as n from pg_class c
		   join pg_roles r on r.oid = c.relowner where r.rolname = ${APP_ROLE}`.execute(t.owner);
		expect(relations.rows[0]?.n).toBe(0);
	});

	it('every tenant table exists in public and is owned by someone other than the app role', async () => {
		const { rows } = await sql<{ tablename: string; tableowner: string }>`
		   select tablename, tableowner from pg_tables where schemaname = 'public'`.execute(t.owner);
		const owners = new Map(rows.map((row) => [row.tablename, row.tableowner]));
		for (const table of RLS_TABLES) {
			expect(owners.has(table), table).toBe(true);
			expect(owners.get(table), table).not.toBe(APP_ROLE);
		}
	});

	it.each(TENANT_TABLES)('%s has a NOT NULL tenant_id', async (table) => {
		const { rows } = await sql<{ attnotnull: boolean; type: string }>`
		   select a.attnotnull, format_type(a.atttypid, a.atttypmod) as type from pg_attribute a
		   where a.attrelid = to_regclass(${`public.${table}`}) and a.attname = 'tenant_id'
		     and not a.attisdropped`.execute(t.owner);
		expect(rows).toEqual([{ attnotnull: true, type: 'uuid' }]);
	});

	it('every foreign key between tenant-owned tables includes tenant_id on both sides', async () => {
		const { rows } = await sql<{
			name: string;
			from_table: string;
			to_table: string;
			from_columns: string[];
			to_columns: string[];
		}>`
		   select c.conname as name, c.conrelid::regclass::text as from_table,
		     c.confrelid::regclass::text as to_table,
		     array(select a.attname::text from unnest(c.conkey) with ordinality k(attnum, i)
		       join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum order by k.i)
		       as from_columns,
		     array(select a.attname::text from unnest(c.confkey) with ordinality k(attnum, i)
		       join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum order by k.i)
		       as to_columns
		   from pg_constraint c
		   where c.contype = 'f'
		     and c.conrelid::regclass::text = any(${[...TENANT_TABLES]}::text[])
		     and c.confrelid::regclass::text = any(${[...TENANT_TABLES]}::text[])
		   order by 1`.execute(t.owner);
		// The schema has many such references; an empty result would mean the query is wrong.
		expect(rows.length).toBeGreaterThan(20);
		const offenders = rows.filter((row) => {
			const i = row.from_columns.indexOf('tenant_id');
			return i < 0 || row.to_columns[i] !== 'tenant_id';
		});
		expect(offenders).toEqual([]);
	});

	it('every foreign key from a tenant table to another tenant table uses tenant_id in conkey', async () => {
		// The literal form of the check: the attnum of tenant_id is in conkey.
		const { rows } = await sql<{ name: string; table: string }>`
		   select c.conname as name, c.conrelid::regclass::text as table
		   from pg_constraint c
		   join pg_attribute ta on ta.attrelid = c.conrelid and ta.attname = 'tenant_id'
		   where c.contype = 'f'
		     and c.conrelid::regclass::text = any(${[...TENANT_TABLES]}::text[])
		     and c.confrelid::regclass::text = any(${[...TENANT_TABLES]}::text[])
		     and not (ta.attnum = any(c.conkey))`.execute(t.owner);
		expect(rows).toEqual([]);
	});

	describe('tenant scope', () => {
		let tenantId: string;
		// One connection, so the owner's query after the transaction runs on the very same session.
		let single: DatabaseConnection;
		let app: AppDatabase;

		beforeAll(async () => {
			tenantId = (await newTenant(t)).id;
			single = kind === 'postgres' ? connectPostgres(t.url!, { max: 1 }) : t.connection;
			app = new AppDatabase(single);
		});

		afterAll(async () => {
			if (kind === 'postgres') await single?.close();
		});

		it(`runs inTenant as ${APP_ROLE} with the tenant set`, async () => {
			const row = await app.inTenant({ tenantId, userId: null }, async (tx) => {
				const { rows } = await sql<{
					user: string;
					tenant: string | null;
				}>`select current_user as user, app_current_tenant()::text as tenant`.execute(tx);
				return rows[0];
			});
			expect(row).toEqual({ user: APP_ROLE, tenant: tenantId });
		});

		it('forgets the role and the tenant once the transaction ends', async () => {
			await app.inTenant({ tenantId, userId: null }, async (tx) => {
				await sql`select 1`.execute(tx);
			});
			const { rows } = await sql<{
				user: string;
				tenant: string | null;
				person: string | null;
			}>`select current_user as user, current_setting('app.tenant_id', true) as tenant,
			     current_setting('app.user_id', true) as person`.execute(single.kysely);
			expect(rows[0]?.user).not.toBe(APP_ROLE);
			expect(rows[0]?.tenant ?? '').toBe('');
			expect(rows[0]?.person ?? '').toBe('');
		});

		it('forgets the role and the tenant after a rolled-back transaction too', async () => {
			await expect(
				app.inTenant({ tenantId, userId: null }, async (tx) => {
					await sql`select 1`.execute(tx);
					throw new Error('roll back');
				})
			).rejects.toThrow('roll back');
			const { rows } = await sql<{
				user: string;
				tenant: string | null;
			}>`select current_user as user, current_setting('app.tenant_id', true) as tenant`.execute(
				single.kysely
			);
			expect(rows[0]?.user).not.toBe(APP_ROLE);
			expect(rows[0]?.tenant ?? '').toBe('');
		});
	});
});
