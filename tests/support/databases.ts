import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import {
	connectPglite,
	connectPostgres,
	type DatabaseConnection,
	type DatabaseKind
} from '../../src/lib/server/db/connection';
import { AppDatabase } from '../../src/lib/server/db/tenant-scope';
import { migrateToLatest } from '../../db/migrate';
import { enableAppLogin } from '../../src/lib/server/db/app-role';
import { APP_ROLE } from '../../src/lib/server/db/roles';

/** The PostgreSQL server the tests use; each test file creates and drops its own database in it. */
export const TEST_POSTGRES_URL =
	process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export const DIALECTS: DatabaseKind[] = ['postgres', 'pglite'];

export interface TestDatabase {
	kind: DatabaseKind;
	/**
	 * What the application uses: on PostgreSQL a login as the app role itself (as in production),
	 * on PGlite its one connection, whose transactions switch to the app role.
	 */
	connection: DatabaseConnection;
	/** The application's only way in: tenant-scoped transactions as the app role. */
	db: AppDatabase;
	/** The owner's handle, for arranging rows and for checks that must bypass the app. */
	owner: DatabaseConnection['kysely'];
	/** Postgres only: the owner's URL of the test database (for a second, independent connection). */
	url: string | null;
	/** Postgres only: the same database, logged in as the app role (DATABASE_URL in production). */
	appUrl: string | null;
	drop(): Promise<void>;
}

function databaseUrl(name: string): string {
	const url = new URL(TEST_POSTGRES_URL);
	url.pathname = `/${name}`;
	return url.toString();
}

/** The app role's login to `url`'s database; TEST_APP_PASSWORD where the server asks for one. */
export function appRoleUrl(url: string): string {
	const app = new URL(url);
	app.username = APP_ROLE;
	app.password = process.env.TEST_APP_PASSWORD ?? '';
	return app.toString();
}

/** A migrated, empty database of the given kind. */
export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
	if (kind === 'pglite') {
		const connection = connectPglite();
		await migrateToLatest(connection.kysely);
		return {
			kind,
			connection,
			db: new AppDatabase(connection),
			owner: connection.kysely,
			url: null,
			appUrl: null,
			drop: () => connection.close()
		};
	}
	const name = `certtrack_test_${randomBytes(6).toString('hex')}`;
	const admin = connectPostgres(TEST_POSTGRES_URL, { max: 1 });
	await sql`create database ${sql.id(name)}`.execute(admin.kysely);
	const url = databaseUrl(name);
	const owner = connectPostgres(url);
	await migrateToLatest(owner.kysely);
	const appUrl = appRoleUrl(url);
	await enableAppLogin(owner.kysely, appUrl);
	const connection = connectPostgres(appUrl);
	return {
		kind,
		connection,
		db: new AppDatabase(connection),
		owner: owner.kysely,
		url,
		appUrl,
		drop: async () => {
			await Promise.allSettled([connection.close(), owner.close()]);
			await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin.kysely);
			await admin.close();
		}
	};
}
