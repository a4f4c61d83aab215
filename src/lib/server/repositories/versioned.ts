import {
	sql,
	type Selectable,
	type SqlBool,
	type UpdateObject,
	type UpdateQueryBuilder
} from 'kysely';
import type { Database } from '../../../../db/schema';
import type { Tx } from '../db/tenant-scope';

/*
 * Optimistic updates: a row changes only while the version its editor read is still current,
 * and each change moves the version on. Every versioned repository update shares these parts.
 */

/** What a versioned update sets besides its own columns: the next version and the change time. */
export const nextVersion = () => ({
	version: sql<number>`version + 1`,
	updated_at: sql<Date>`now()`
});

/** The row `key` names (in column `column`), and only while its version is still `version`. */
export const atVersion = (key: string, version: number, column = 'id') =>
	sql<SqlBool>`${sql.ref(column)} = ${key} and ${sql.ref('version')} = ${version}`;

type VersionedTable = {
	[T in keyof Database]: Database[T] extends { version: unknown } ? T : never;
}[keyof Database];

type UnstampedTable = {
	[T in VersionedTable]: 'updated_at' extends keyof Database[T] ? never : T;
}[VersionedTable];

/** The versioned tables without an `updated_at` of their own: their version alone moves on. */
const UNSTAMPED = ['standards', 'evaluations', 'complaints'] as const satisfies UnstampedTable[];
// Every such table is listed: a new one left off would have a change time set that it lacks.
const listed: [Exclude<UnstampedTable, (typeof UNSTAMPED)[number]>] extends [never] ? true : never =
	true;
void listed;

/**
 * Sets `values` on the row of `table` that `key` names (in `column`), with the next version (and
 * the change time where the table keeps one), only while its version is still `version`. The
 * changed row, or undefined when the version had moved on (nothing changed).
 */
export function updateAtVersion<T extends VersionedTable>(
	tx: Tx,
	table: T,
	key: string,
	version: number,
	values: UpdateObject<Database, T>,
	column = 'id'
): Promise<Selectable<Database[T]> | undefined> {
	const next = (UNSTAMPED as readonly string[]).includes(table)
		? { version: sql<number>`version + 1` }
		: nextVersion();
	// Kysely cannot type an update over a table chosen by a type parameter, hence the casts.
	const update = tx.updateTable(table as VersionedTable) as unknown as UpdateQueryBuilder<
		Database,
		'findings',
		'findings',
		object
	>;
	return update
		.set({ ...values, ...next } as never)
		.where(atVersion(key, version, column))
		.returningAll()
		.executeTakeFirst() as Promise<never>;
}
