import { constants, cpSync, existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * Issue 9 item 4: an embedded first start used to run PostgreSQL's initdb inside PGlite (the
 * slowest and most memory-hungry part of starting), then load the demo through the services.
 * `npm run build` makes a migrated PGlite data directory once, with the demo story loaded as of a
 * reference day (scripts/build-pglite-template.ts); a first start copies it into place, opens it
 * as a restart would and moves the story to today (db/seed/demo-template.ts). The copy is plain
 * file copying: measured against PGlite's own dumpDataDir/loadDataDir tarball it started twice
 * as fast and with less memory, because the tarball is unpacked through PGlite's in-memory file
 * system. Migrations added after the build still apply (the migrator runs after the move).
 */

/** Where `npm run build` leaves the template, relative to the project root. */
export const PGLITE_TEMPLATE_PATH = join('build', 'pglite-template');

/** A file PostgreSQL writes into every data directory it made. */
const DATA_DIR_MARK = 'PG_VERSION';

/**
 * The template next to this code: the project root is found upwards from this module, both as
 * source (src/lib/server/db) and as built (build/server/chunks). Null when there is none (no
 * build yet, or a build without it): the first start then runs initdb as before.
 */
export function findPgliteTemplate(from: string = fileURLToPath(import.meta.url)): string | null {
	for (let dir = dirname(from); ; dir = dirname(dir)) {
		const candidate = join(dir, PGLITE_TEMPLATE_PATH);
		if (existsSync(join(candidate, DATA_DIR_MARK))) return candidate;
		if (dirname(dir) === dir) return null;
	}
}

/**
 * Puts a copy of `template` at `dataDir` when there is no database there yet (the directory
 * missing or empty). It is copied beside and renamed into place, so a start that is stopped
 * half-way leaves no half a database. Answers whether it copied.
 */
export function copyPgliteTemplate(dataDir: string, template: string | null): boolean {
	if (!template) return false;
	if (existsSync(dataDir) && readdirSync(dataDir).length > 0) return false;
	const staging = `${dataDir}.from-template`;
	rmSync(staging, { recursive: true, force: true });
	// A copy-on-write clone where the file system has them, a plain copy elsewhere.
	cpSync(template, staging, { recursive: true, mode: constants.COPYFILE_FICLONE });
	rmSync(dataDir, { recursive: true, force: true });
	renameSync(staging, dataDir);
	return true;
}
