import { readConfig } from '../src/lib/server/config';
import { openConfiguredDatabase } from '../src/lib/server/app';
import { AppDatabase } from '../src/lib/server/db/tenant-scope';
import { migrateToLatest } from './migrate';
import { isDatabaseEmpty, loadDemoData } from './seed/demo';

/* npm run db:migrate | npm run db:seed — against DATABASE_URL, or the embedded database. */

const command = process.argv[2];
const config = readConfig();
// Migrations and the demo load may run longer than a request's statement timeout.
const connection = openConfiguredDatabase(config, { statementTimeoutMs: 0 });
const target = config.databaseUrl ? 'DATABASE_URL' : `the embedded database in ${config.dataDir}`;

try {
	if (command === 'migrate') {
		const applied = await migrateToLatest(connection.kysely);
		console.log(
			applied.length ? `Applied to ${target}: ${applied.join(', ')}` : `${target} is up to date.`
		);
	} else if (command === 'seed') {
		await migrateToLatest(connection.kysely);
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
} finally {
	await connection.close();
}
