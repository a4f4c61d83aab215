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

/** The PostgreSQL server the tests use; each test file creates and drops its own database in it. */
export const TEST_POSTGRES_URL =
	process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export const DIALECTS: DatabaseKind[] = ['postgres', 'pglite'];

export interface TestDatabase {
	kind: DatabaseKind;
	connection: DatabaseConnection;
	/** The application's only way in: tenant-scoped transactions as the app role. */
	db: AppDatabase;
	/** The owner's handle, for arranging rows and for checks that must bypass the app. */
	owner: DatabaseConnection['kysely'];
	/** Postgres only: the URL of the test database (for a second, independent connection). */
	url: string | null;
	drop(): Promise<void>;
}

function databaseUrl(name: string): string {
	const url = new URL(TEST_POSTGRES_URL);
	url.pathname = `/${name}`;
	return url.toString();
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
			drop: () => connection.close()
		};
	}
	const name = `certtrack_test_${randomBytes(6).toString('hex')}`;
	const admin = connectPostgres(TEST_POSTGRES_URL, { max: 1 });
	await sql`create database ${sql.id(name)}`.execute(admin.kysely);
	const url = databaseUrl(name);
	const connection = connectPostgres(url);
	await migrateToLatest(connection.kysely);
	return {
		kind,
		connection,
		db: new AppDatabase(connection),
		owner: connection.kysely,
		url,
		drop: async () => {
			await connection.close();
			await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin.kysely);
			await admin.close();
		}
	};
}
