import { randomBytes } from 'node:crypto';
import type { Role } from '../../db/schema';
import type { TestDatabase } from './databases';
import type { Actor } from '../../src/lib/server/actor';
import type { App } from '../../src/lib/server/app';
import { readConfig } from '../../src/lib/server/config';
import { createSignInLimiter } from '../../src/lib/server/auth/rate-limit';
import { hashPassword } from '../../src/lib/server/auth/password';
import { resolveActor, sessionPolicy } from '../../src/lib/server/services/sessions';
import { usccCheckCharacter } from '../../src/lib/server/domain/uscc';
import { appRouter } from '../../src/lib/server/trpc/router';
import { createCallerFactory } from '../../src/lib/server/trpc/init';
import type { Locale } from '../../db/schema';

/*
 * Small factories in the manner of Immich's medium tests: each makes one thing, valid by default.
 *
 * These are the ground every other factory stands on, and they write directly through the tenant
 * scope, with no audit entry: a tenant and an identity have no service (nobody is there yet to
 * create them), and the audit tests count a tenant's chain from its first entry (an admin made
 * with newActor must leave it empty; 300 arranged entries must be exactly 300), which the
 * services' own entries for an organisation or a membership would break. Tests that need those
 * steps audited call the services (createOrganisation, addMember) themselves.
 */

const unique = () => randomBytes(4).toString('hex');

export const TEST_PASSWORD = 'correct-horse-battery';
let passwordHash: Promise<string> | null = null;

export async function newTenant(t: TestDatabase, name = `Body ${unique()}`) {
	return t.owner
		.insertInto('tenants')
		.values({ slug: `t-${unique()}`, name })
		.returningAll()
		.executeTakeFirstOrThrow();
}

export async function newPerson(t: TestDatabase, options: { email?: string; name?: string } = {}) {
	passwordHash ??= hashPassword(TEST_PASSWORD);
	const hash = await passwordHash;
	// The owner's handle: the app role may write a password hash but never read one back.
	return t.owner
		.insertInto('users')
		.values({
			email: options.email ?? `person-${unique()}@example.test`,
			name: options.name ?? `Person ${unique()}`,
			password_hash: hash
		})
		.returningAll()
		.executeTakeFirstOrThrow();
}

/** A valid unified social credit code, different each call. */
export function newUscc(): string {
	const digits = Array.from(randomBytes(9), (b) => (b % 10).toString()).join('');
	const first17 = `91350206${digits}`;
	return first17 + usccCheckCharacter(first17);
}

export async function newOrganisation(t: TestDatabase, tenantId: string, legalName?: string) {
	return t.db.inTenant({ tenantId, userId: null }, (tx) =>
		tx
			.insertInto('organisations')
			.values({
				tenant_id: tenantId,
				legal_name: legalName ?? `Organisation ${unique()}`,
				uscc: newUscc(),
				address: 'Xiamen'
			})
			.returningAll()
			.executeTakeFirstOrThrow()
	);
}

export async function newMembership(
	t: TestDatabase,
	tenantId: string,
	userId: string,
	role: Role,
	organisationId: string | null = null
) {
	return t.db.inTenant({ tenantId, userId: null }, (tx) =>
		tx
			.insertInto('memberships')
			.values({ tenant_id: tenantId, user_id: userId, role, organisation_id: organisationId })
			.returningAll()
			.executeTakeFirstOrThrow()
	);
}

/** A person with a membership in the tenant, and the Actor a request of theirs would carry. */
export async function newActor(
	t: TestDatabase,
	tenantId: string,
	role: Role,
	organisationId: string | null = null
): Promise<Actor> {
	const person = await newPerson(t);
	await newMembership(t, tenantId, person.id, role, organisationId);
	return actorOf(t, tenantId, person.id);
}

export async function actorOf(t: TestDatabase, tenantId: string, userId: string): Promise<Actor> {
	const person = await t.db.asPerson(null, (tx) =>
		tx
			.selectFrom('users')
			.select(['email', 'name', 'locale'])
			.where('id', '=', userId)
			.executeTakeFirstOrThrow()
	);
	// The same resolution a request makes from its session.
	const actor = await resolveActor(t.db, {
		sessionId: 'test-session',
		userId,
		email: person.email,
		name: person.name,
		locale: person.locale,
		expiresAt: new Date(Date.now() + 86_400_000),
		tenantId
	});
	if (!actor) throw new Error('no membership');
	return actor;
}

/** An App over the test database: in-memory sign-in limits, no Redis. */
export function testApp(t: TestDatabase): App {
	return {
		config: readConfig({ DATA_DIR: '/tmp/certtrack-test-data' }),
		db: t.db,
		redis: null,
		limiter: createSignInLimiter({ redis: null, prefix: `test-${unique()}` }),
		sessionPolicy: sessionPolicy(30),
		pingDatabase: async () => true,
		close: async () => {}
	};
}

const createCaller = createCallerFactory(appRouter);

/** A tRPC caller acting as `actor` (or signed out), exactly as the HTTP handler would build it. */
export function callerFor(app: App, actor: Actor | null, locale: Locale = 'en') {
	return createCaller({
		app,
		locale,
		actor,
		person: actor
			? {
					sessionId: 'test-session',
					userId: actor.userId,
					email: actor.email,
					name: actor.name,
					locale: null,
					expiresAt: new Date(Date.now() + 86_400_000),
					tenantId: actor.tenantId
				}
			: null
	});
}
