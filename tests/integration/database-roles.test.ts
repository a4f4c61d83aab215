import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { connectPostgres, type DatabaseConnection } from '../../src/lib/server/db/connection';
import { loginRole } from '../../src/lib/server/db/app-role';
import { APP_ROLE } from '../../src/lib/server/db/roles';
import type { Tx } from '../../src/lib/server/db/tenant-scope';
import * as databaseRoles from '../../db/migrations/2026-12-02-11-database-roles';
import { prepareSchema } from '../../src/lib/server/app';
import { readConfig } from '../../src/lib/server/config';
import { passwordDigest } from '../../src/lib/server/auth/password';
import { signIn } from '../../src/lib/server/services/sign-in';
import {
	createSession,
	invalidateSession,
	sessionPolicy,
	validateSessionToken
} from '../../src/lib/server/services/sessions';
import { createSignInLimiter } from '../../src/lib/server/auth/rate-limit';
import { checkPasswordDigest, findPasswordSalt } from '../../src/lib/server/repositories/users';
import * as sessions from '../../src/lib/server/repositories/sessions';
import {
	appRoleUrl,
	createTestDatabase,
	DIALECTS,
	TEST_POSTGRES_URL,
	type TestDatabase
} from '../support/databases';
import {
	newMembership,
	newOrganisation,
	newPerson,
	newTenant,
	TEST_PASSWORD
} from '../support/factories';

/*
 * Issue 8 §20: the app role reads no password hash and no session it was not given the id of,
 * and — on PostgreSQL, where it logs in as itself — cannot become the owner or bypass RLS.
 */

const policy = sessionPolicy(30);

/** The SQLSTATE a statement fails with, or null when it succeeds. */
async function failureOf(work: Promise<unknown>): Promise<string | null> {
	try {
		await work;
		return null;
	} catch (error) {
		return String((error as { code?: unknown }).code ?? (error as Error).message);
	}
}

const INSUFFICIENT_PRIVILEGE = '42501';

describe.each(DIALECTS)('the app role and the identity tables (%s)', (kind) => {
	let t: TestDatabase;
	let alice: Awaited<ReturnType<typeof newPerson>>;
	let bob: Awaited<ReturnType<typeof newPerson>>;
	let aliceToken: string;
	let bobSessionId: string;

	const asApp = <T>(work: (tx: Tx) => Promise<T>) => t.db.asPerson(alice.id, work);

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		alice = await newPerson(t, { name: 'Alice' });
		bob = await newPerson(t, { name: 'Bob' });
		aliceToken = (await createSession(t.db, alice.id, policy)).token;
		const bobToken = (await createSession(t.db, bob.id, policy)).token;
		bobSessionId = bobToken.split('.')[0]!;
	});
	afterAll(() => t?.drop());

	it('cannot read users.password_hash, by name or with *, and cannot overwrite it', async () => {
		expect(await failureOf(asApp((tx) => sql`select password_hash from users`.execute(tx)))).toBe(
			INSUFFICIENT_PRIVILEGE
		);
		expect(await failureOf(asApp((tx) => sql`select * from users`.execute(tx)))).toBe(
			INSUFFICIENT_PRIVILEGE
		);
		expect(
			await failureOf(
				asApp((tx) => sql`update users set password_hash = 'x' where id = ${alice.id}`.execute(tx))
			)
		).toBe(INSUFFICIENT_PRIVILEGE);
		// What the pages need is still there.
		const names = await asApp((tx) =>
			sql<{ name: string }>`select name from users where id = ${bob.id}`.execute(tx)
		);
		expect(names.rows).toEqual([{ name: 'Bob' }]);
	});

	it('reads every column of users but password_hash (a new column needs its grant)', async () => {
		const columns = await sql<{
			column_name: string;
			readable: boolean;
		}>`select column_name, has_column_privilege(${APP_ROLE}, 'users', column_name, 'select') as readable
		   from information_schema.columns where table_schema = 'public' and table_name = 'users'
		   order by column_name`.execute(t.owner);
		for (const { column_name, readable } of columns.rows)
			expect(readable, column_name).toBe(column_name !== 'password_hash');
	});

	it('cannot select, insert, update or delete sessions directly', async () => {
		for (const statement of [
			sql`select id from sessions`,
			sql`select count(*) from sessions`,
			sql`update sessions set expires_at = now() + interval '1 year' where id = ${bobSessionId}`,
			sql`delete from sessions where id = ${bobSessionId}`,
			sql`insert into sessions (id, secret_hash, user_id, expires_at)
			    values ('forged', '\\x00', ${alice.id}, now() + interval '1 day')`
		])
			expect(await failureOf(asApp((tx) => statement.execute(tx)))).toBe(INSUFFICIENT_PRIVILEGE);
		// Bob's session is untouched.
		const row = await t.owner
			.selectFrom('sessions')
			.select('user_id')
			.where('id', '=', bobSessionId)
			.executeTakeFirst();
		expect(row?.user_id).toBe(bob.id);
	});

	it("cannot create a session for someone else, nor move another person's session to a tenant", async () => {
		expect(
			await failureOf(
				asApp((tx) =>
					sessions.insertSession(tx, {
						id: 'forged-session-for-bob',
						secretHash: new Uint8Array(32),
						userId: bob.id,
						expiresAt: new Date(Date.now() + 86_400_000)
					})
				)
			)
		).toBe(INSUFFICIENT_PRIVILEGE);
		const tenant = await newTenant(t);
		await asApp((tx) => sessions.setSessionTenant(tx, bobSessionId, tenant.id));
		const row = await t.owner
			.selectFrom('sessions')
			.select('tenant_id')
			.where('id', '=', bobSessionId)
			.executeTakeFirstOrThrow();
		expect(row.tenant_id).toBeNull();
	});

	it('no function of the app role lists sessions or hands out a stored hash', async () => {
		const functions = await sql<{
			name: string;
			result: string;
		}>`select p.proname as name, pg_get_function_result(p.oid) as result
		   from pg_proc p join pg_namespace n on n.oid = p.pronamespace
		   where n.nspname = 'public' and has_function_privilege(${APP_ROLE}, p.oid, 'execute')
		     and p.prosecdef`.execute(t.owner);
		for (const { name, result } of functions.rows) {
			expect(result, name).not.toMatch(/password_hash/);
			// A set of sessions would be a list: only the lookup by id returns session columns.
			if (result.includes('secret_hash')) expect(name).toBe('app_session_find');
		}
		const salted = await asApp((tx) => findPasswordSalt(tx, alice.email));
		expect(salted?.salt).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+$/);
		const stored = await t.owner
			.selectFrom('users')
			.select('password_hash')
			.where('id', '=', alice.id)
			.executeTakeFirstOrThrow();
		expect(stored.password_hash!.startsWith(`${salted!.salt}$`)).toBe(true);
		expect(salted!.salt.length).toBeLessThan(stored.password_hash!.length - 40);
	});

	it('signs in by digest: the right password matches, a wrong one does not, sessions still work', async () => {
		const salted = await asApp((tx) => findPasswordSalt(tx, alice.email));
		const stored = await t.owner
			.selectFrom('users')
			.select('password_hash')
			.where('id', '=', alice.id)
			.executeTakeFirstOrThrow();
		const digest = await passwordDigest(salted!.salt, salted!.digest_length, TEST_PASSWORD);
		expect(stored.password_hash).toBe(`${salted!.salt}$${digest}`);

		const limiter = createSignInLimiter({
			redis: null,
			prefix: `roles-${randomBytes(4).toString('hex')}`
		});
		const deps = { db: t.db, limiter, sessionPolicy: policy };
		const wrong = await signIn(deps, {
			email: alice.email.toUpperCase(),
			password: 'not the password',
			address: '192.0.2.1'
		});
		expect(wrong).toEqual({ ok: false, reason: 'invalid_credentials' });
		const right = await signIn(deps, {
			email: ` ${alice.email.toUpperCase()} `,
			password: TEST_PASSWORD,
			address: '192.0.2.1'
		});
		expect(right.ok && right.userId).toBe(alice.id);
		if (!right.ok) return;
		const person = await validateSessionToken(t.db, right.token, policy);
		expect(person?.name).toBe('Alice');
		await invalidateSession(t.db, person!.sessionId);
		expect(await validateSessionToken(t.db, right.token, policy)).toBeNull();
		// The earlier session of Alice is another one, and still valid.
		expect((await validateSessionToken(t.db, aliceToken, policy))?.userId).toBe(alice.id);
	});

	it('reads no digest in bulk: every address gives only its salt, no function compares outside the count', async () => {
		const everyone = await asApp((tx) =>
			sql<{ email: string }>`select email from users where email is not null`.execute(tx)
		);
		const stored = await t.owner.selectFrom('users').select('password_hash').execute();
		const digests = stored.flatMap((row) => row.password_hash?.split('$').slice(-1) ?? []);
		expect(digests.length).toBeGreaterThan(1);
		for (const { email } of everyone.rows) {
			const salted = await asApp((tx) => findPasswordSalt(tx, email));
			for (const digest of digests) expect(salted?.salt ?? '').not.toContain(digest);
		}
		// The unthrottled digest oracle of the earlier migration is gone.
		const oracle = await sql<{ n: number }>`select count(*)::int as n from pg_proc
		   where proname = 'app_password_user'`.execute(t.owner);
		expect(oracle.rows[0]!.n).toBe(0);
	});

	it("cannot test password guesses past the database's own count, even skipping the sign-in throttle", async () => {
		const carol = await newPerson(t, { name: 'Carol' });
		const salted = await asApp((tx) => findPasswordSalt(tx, carol.email));
		const right = await passwordDigest(salted!.salt, salted!.digest_length, TEST_PASSWORD);
		const check = (digest: string) => asApp((tx) => checkPasswordDigest(tx, carol.email, digest));
		// The right digest matches and a match clears the count.
		expect(await check('wrong-digest')).toEqual({ userId: null, retryAfterSeconds: 0 });
		expect(await check(right!)).toEqual({ userId: carol.id, retryAfterSeconds: 0 });
		const failures = () =>
			sql<{ n: number }>`select coalesce(sum(failures), 0)::int as n from password_check_failures
			   where user_id = ${carol.id}`
				.execute(t.owner)
				.then((r) => r.rows[0]!.n);
		expect(await failures()).toBe(0);
		// Parallel guesses are each counted (the row lock queues them).
		await Promise.all(Array.from({ length: 12 }, (_, i) => check(`guess-${i}`)));
		expect(await failures()).toBe(12);
		// A caller with the app role's credentials, hashing guesses itself and asking directly:
		// 300 failures in the hour, then no answer at all, not even for the right digest.
		await asApp((tx) =>
			sql`select count(*) from generate_series(1, ${300 - 12}) g
			    cross join lateral app_password_check(lower(${carol.email}), 'guess-' || g)`.execute(tx)
		);
		expect(await failures()).toBe(300);
		const refused = await check(right!);
		expect(refused.userId).toBeNull();
		expect(refused.retryAfterSeconds).toBeGreaterThan(3000);
		// The app's sign-in says so (429 on the form), without a session.
		const limiter = createSignInLimiter({
			redis: null,
			prefix: `roles-${randomBytes(4).toString('hex')}`
		});
		const answer = await signIn(
			{ db: t.db, limiter, sessionPolicy: policy },
			{ email: carol.email, password: TEST_PASSWORD, address: '192.0.2.9' }
		);
		expect(answer).toMatchObject({ ok: false, reason: 'throttled' });
		// The count itself is out of the app role's reach.
		for (const statement of [
			sql`select * from password_check_failures`,
			sql`delete from password_check_failures`,
			sql`update password_check_failures set failures = 0`
		])
			expect(await failureOf(asApp((tx) => statement.execute(tx)))).toBe(INSUFFICIENT_PRIVILEGE);
		// After the window, the right password works again.
		await sql`update password_check_failures set window_started_at = now() - interval '61 minutes'
		   where user_id = ${carol.id}`.execute(t.owner);
		expect(await check(right!)).toEqual({ userId: carol.id, retryAfterSeconds: 0 });
	});

	it('validates a session inside a transaction that already acts in a tenant', async () => {
		const tenant = await newTenant(t);
		await newMembership(t, tenant.id, alice.id, 'admin');
		await newOrganisation(t, tenant.id);
		const [sessionId] = aliceToken.split('.');
		const row = await t.db.inTenant({ tenantId: tenant.id, userId: alice.id }, async (tx) => {
			const found = await sessions.findSession(tx, sessionId!);
			const organisations = await tx.selectFrom('organisations').select('id').execute();
			return { found, organisations: organisations.length };
		});
		expect(row.found?.user_id).toBe(alice.id);
		expect(row.organisations).toBe(1);
	});

	it('sees no tenant row without a tenant, and cannot turn row-level security off', async () => {
		const tenant = await newTenant(t);
		await newOrganisation(t, tenant.id);
		const visible = await t.db.asPerson(null, (tx) =>
			sql<{ n: number }>`select count(*)::int as n from organisations`.execute(tx)
		);
		expect(visible.rows[0]!.n).toBe(0);
		// row_security = off makes a query that RLS would filter fail instead of bypassing it.
		expect(
			await failureOf(
				t.db.asPerson(null, async (tx) => {
					await sql`set local row_security = off`.execute(tx);
					await sql`select count(*) from organisations`.execute(tx);
				})
			)
		).toBe(INSUFFICIENT_PRIVILEGE);
		const attributes = await sql<{
			rolsuper: boolean;
			rolbypassrls: boolean;
			rolcreaterole: boolean;
			rolcreatedb: boolean;
		}>`select rolsuper, rolbypassrls, rolcreaterole, rolcreatedb from pg_roles where rolname = ${APP_ROLE}`.execute(
			t.owner
		);
		expect(attributes.rows[0]).toEqual({
			rolsuper: false,
			rolbypassrls: false,
			rolcreaterole: false,
			rolcreatedb: false
		});
	});

	it('cannot create objects in the public schema', async () => {
		expect(await failureOf(asApp((tx) => sql`create table planted (id int)`.execute(tx)))).toBe(
			INSUFFICIENT_PRIVILEGE
		);
		expect(
			await failureOf(
				asApp((tx) =>
					sql`create function public.app_current_user() returns uuid language sql as 'select null::uuid'`.execute(
						tx
					)
				)
			)
		).not.toBeNull();
	});
});

describe('the app role logs in as itself and cannot become the owner (postgres)', () => {
	let t: TestDatabase;
	let single: DatabaseConnection;
	let owner: string;

	beforeAll(async () => {
		t = await createTestDatabase('postgres');
		single = connectPostgres(t.appUrl!, { max: 1 });
		owner = await loginRole(t.owner);
	});
	afterAll(async () => {
		await single?.close();
		await t?.drop();
	});

	const session = (statement: string) => sql.raw(statement).execute(single.kysely);
	const current = async () =>
		(
			await sql<{
				session_user: string;
				current_user: string;
			}>`select session_user, current_user`.execute(single.kysely)
		).rows[0];

	it('the application connection is a login of the app role', async () => {
		expect(databaseRoles.APP_ROLE).toBe(APP_ROLE);
		expect(await loginRole(t.connection.kysely)).toBe(APP_ROLE);
		expect(owner).not.toBe(APP_ROLE);
		const member = await sql<{
			member: boolean;
		}>`select pg_has_role(${APP_ROLE}, ${owner}, 'member') as member`.execute(t.owner);
		expect(member.rows[0]!.member).toBe(false);
	});

	it('RESET ROLE, SET ROLE, set_config and SET SESSION AUTHORIZATION never reach the owner', async () => {
		await session('reset role');
		expect(await current()).toEqual({ session_user: APP_ROLE, current_user: APP_ROLE });
		expect(await failureOf(session(`set role ${owner}`))).toBe(INSUFFICIENT_PRIVILEGE);
		expect(
			await failureOf(sql`select set_config('role', ${owner}, false)`.execute(single.kysely))
		).toBe(INSUFFICIENT_PRIVILEGE);
		expect(await failureOf(session(`set session authorization ${owner}`))).toBe(
			INSUFFICIENT_PRIVILEGE
		);
		// Inside an application transaction too, after its own SET LOCAL ROLE.
		expect(
			await failureOf(
				t.db.asPerson(null, async (tx) => {
					await sql`reset role`.execute(tx);
					const who = await sql<{ u: string }>`select current_user as u`.execute(tx);
					if (who.rows[0]!.u !== APP_ROLE) throw new Error(`became ${who.rows[0]!.u}`);
					await sql.raw(`set local role ${owner}`).execute(tx);
				})
			)
		).toBe(INSUFFICIENT_PRIVILEGE);
		expect(await current()).toEqual({ session_user: APP_ROLE, current_user: APP_ROLE });
	});

	it('an owner-only statement fails for it', async () => {
		expect(await failureOf(session('alter table users disable row level security'))).toBe(
			INSUFFICIENT_PRIVILEGE
		);
		expect(await failureOf(session('select password_hash from users'))).toBe(
			INSUFFICIENT_PRIVILEGE
		);
	});
});

describe('a fresh install: the owner migrates and gives the app role LOGIN (postgres)', () => {
	const admin = connectPostgres(TEST_POSTGRES_URL, { max: 1 });
	const created: string[] = [];
	const urlOf = (name: string) => {
		const url = new URL(TEST_POSTGRES_URL);
		url.pathname = `/${name}`;
		return url.toString();
	};
	const freshDatabase = async () => {
		const name = `certtrack_test_${randomBytes(6).toString('hex')}`;
		await sql`create database ${sql.id(name)}`.execute(admin.kysely);
		created.push(name);
		return urlOf(name);
	};
	afterAll(async () => {
		for (const name of created)
			await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin.kysely);
		await admin.close();
	});

	it('with DATABASE_OWNER_URL the app, logged in as certtrack_app, starts on a migrated schema', async () => {
		const ownerUrl = await freshDatabase();
		const appUrl = appRoleUrl(ownerUrl);
		const config = readConfig({ DATABASE_URL: appUrl, DATABASE_OWNER_URL: ownerUrl });
		const app = connectPostgres(appUrl, { max: 1 });
		try {
			await prepareSchema(config, app, () => {});
			expect(await loginRole(app.kysely)).toBe(APP_ROLE);
			const tables = await sql<{
				n: number;
			}>`select count(*)::int as n from information_schema.tables where table_name = 'findings'`.execute(
				app.kysely
			);
			expect(tables.rows[0]!.n).toBe(1);
			// Started again with the app role's URL alone (compose's web and worker): no migration
			// needed, none attempted.
			await prepareSchema(readConfig({ DATABASE_URL: appUrl }), app, () => {});
		} finally {
			await app.close();
		}
	});

	it('with the app role alone, an unmigrated database is refused with what to run', async () => {
		const ownerUrl = await freshDatabase();
		const app = connectPostgres(appRoleUrl(ownerUrl), { max: 1 });
		try {
			await expect(
				prepareSchema(readConfig({ DATABASE_URL: appRoleUrl(ownerUrl) }), app, () => {})
			).rejects.toThrow(/db:migrate.*DATABASE_OWNER_URL/);
		} finally {
			await app.close();
		}
	});

	it('one URL naming the owner still migrates and warns', async () => {
		const ownerUrl = await freshDatabase();
		const connection = connectPostgres(ownerUrl, { max: 1 });
		const logged: string[] = [];
		try {
			await prepareSchema(readConfig({ DATABASE_URL: ownerUrl }), connection, (m) =>
				logged.push(m)
			);
			expect(logged.join('\n')).toMatch(/DATABASE_OWNER_URL/);
			// Its transactions still act as the app role.
			const who = await connection.kysely.transaction().execute(async (tx) => {
				await sql`select set_config('role', ${APP_ROLE}, true)`.execute(tx);
				return (await sql<{ u: string }>`select current_user as u`.execute(tx)).rows[0]!.u;
			});
			expect(who).toBe(APP_ROLE);
		} finally {
			await connection.close();
		}
	});
});
