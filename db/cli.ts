import { join } from 'node:path';
import { readConfig } from '../src/lib/server/config';
import { connectPglite, connectPostgres } from '../src/lib/server/db/connection';
import { AppDatabase } from '../src/lib/server/db/tenant-scope';
import { enableAppLogin, explainAppLoginFailure, loginRole } from '../src/lib/server/db/app-role';
import { APP_ROLE } from '../src/lib/server/db/roles';
import { migrateToLatest } from './migrate';
import { isDatabaseEmpty, loadDemoData } from './seed/demo';

/*
 * npm run db:migrate | npm run db:seed — as the owner: DATABASE_OWNER_URL, else DATABASE_URL, else
 * the embedded database. With both URLs set, the app role of DATABASE_URL is given LOGIN and its
 * password once migrated.
 */

const command = process.argv[2];
const config = readConfig();
const ownerUrl = config.databaseOwnerUrl ?? config.databaseUrl;
// Migrations and the demo load may run longer than a request's statement timeout.
const connection = ownerUrl
	? connectPostgres(ownerUrl, {
			max: 1,
			connectTimeoutMs: config.database.connectTimeoutMs,
			statementTimeoutMs: 0
		})
	: connectPglite(join(config.dataDir, 'pglite'));
const target = config.databaseOwnerUrl
	? 'DATABASE_OWNER_URL'
	: config.databaseUrl
		? 'DATABASE_URL'
		: `the embedded database in ${config.dataDir}`;

async function migrate(): Promise<string[]> {
	const role =
		connection.kind === 'postgres'
			? await loginRole(connection.kysely).catch((error: unknown) => {
					throw explainAppLoginFailure(error);
				})
			: null;
	if (role === APP_ROLE) {
		throw new Error(
			`${target} logs in as ${APP_ROLE}, which cannot migrate: set DATABASE_OWNER_URL to the schema's owner`
		);
	}
	const applied = await migrateToLatest(connection.kysely);
	if (config.databaseOwnerUrl && config.databaseUrl) {
		await enableAppLogin(connection.kysely, config.databaseUrl);
		console.log(`${APP_ROLE} may log in (DATABASE_URL).`);
	}
	return applied;
}

try {
	if (command === 'migrate') {
		const applied = await migrate();
		console.log(
			applied.length ? `Applied to ${target}: ${applied.join(', ')}` : `${target} is up to date.`
		);
	} else if (command === 'seed') {
		await migrate();
		if (!(await isDatabaseEmpty(connection.kysely))) {
			console.error(
				`${target} already holds tenants; the demo data loads only into an empty database.`
			);
			process.exitCode = 1;
		} else {
			await loadDemoData(connection.kysely, new AppDatabase(connection));
			console.log(`Loaded the demo data into ${target}.`);
		}
	} else {
		console.error('usage: tsx db/cli.ts migrate|seed');
		process.exitCode = 2;
	}
} catch (error) {
	console.error(error instanceof Error ? error.message : error);
	process.exitCode = 1;
} finally {
	await connection.close();
}
