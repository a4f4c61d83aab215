// Run by `npm run build` after `vite build`: the embedded database that a first start copies
// instead of running initdb (src/lib/server/db/pglite-template.ts, issue 9 item 4): migrated,
// with the demo story loaded as of its reference day (db/seed/demo-template.ts); the first
// start moves the story to its own today.
import { rmSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { migrateToLatest } from '../db/migrate';
import { DEMO_REFERENCE_DAY, loadDemoTemplate } from '../db/seed/demo-template';
import { connectPglite } from '../src/lib/server/db/connection';
import { AppDatabase } from '../src/lib/server/db/tenant-scope';
import { PGLITE_TEMPLATE_PATH } from '../src/lib/server/db/pglite-template';

const root = join(import.meta.dirname, '..');
const target = join(root, PGLITE_TEMPLATE_PATH);
const staging = `${target}.building`;
const started = performance.now();

rmSync(staging, { recursive: true, force: true });
// The app's own connection (its type parsers): the story is told as the app would tell it.
const connection = connectPglite(staging);
const applied = await migrateToLatest(connection.kysely);
await loadDemoTemplate(connection.kysely, new AppDatabase(connection));
// Hint bits set and statistics taken once here, not by the first start's reads and plans.
await sql`vacuum (freeze, analyze)`.execute(connection.kysely);
// A clean shutdown (closing PGlite): the copy must open without recovery.
await connection.close();
rmSync(target, { recursive: true, force: true });
renameSync(staging, target);
console.log(
	`Embedded database template: ${applied.length} migrations and the demo as of ` +
		`${DEMO_REFERENCE_DAY} in ${PGLITE_TEMPLATE_PATH} ` +
		`(${((performance.now() - started) / 1000).toFixed(1)} s)`
);
