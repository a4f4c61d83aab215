import { sql, type SqlBool } from 'kysely';

/*
 * Optimistic updates: a row changes only while the version its editor read is still current,
 * and each change moves the version on. Every versioned repository update shares these two parts.
 */

/** What a versioned update sets besides its own columns: the next version and the change time. */
export const nextVersion = () => ({
	version: sql<number>`version + 1`,
	updated_at: sql<Date>`now()`
});

/** The row `key` names (in column `column`), and only while its version is still `version`. */
export const atVersion = (key: string, version: number, column = 'id') =>
	sql<SqlBool>`${sql.ref(column)} = ${key} and ${sql.ref('version')} = ${version}`;
