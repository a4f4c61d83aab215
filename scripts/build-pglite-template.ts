// Run by `npm run build` after `vite build`: the migrated, empty embedded database that a first
// start copies instead of running initdb (src/lib/server/db/pglite-template.ts, issue 9 item 4).
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { rmSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { migrateToLatest } from '../db/migrate';
import type { Database } from '../db/schema';
import { PGLITE_TEMPLATE_PATH } from '../src/lib/server/db/pglite-template';

const root = join(import.meta.dirname, '..');
const target = join(root, PGLITE_TEMPLATE_PATH);
const staging = `${target}.building`;
const started = performance.now();

rmSync(staging, { recursive: true, force: true });
const pglite = new PGlite({ dataDir: staging });
const kysely = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
const applied = await migrateToLatest(kysely);
// A clean shutdown: the copy must open without recovery.
await kysely.destroy();
if (!pglite.closed) await pglite.close();
rmSync(target, { recursive: true, force: true });
renameSync(staging, target);
console.log(
	`Embedded database template: ${applied.length} migrations in ${PGLITE_TEMPLATE_PATH} ` +
		`(${((performance.now() - started) / 1000).toFixed(1)} s)`
);
