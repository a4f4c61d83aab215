import { sql, type Selectable, type SelectQueryBuilder } from 'kysely';
import type { Database } from '../../../../db/schema';
import type { Tx } from '../db/tenant-scope';

/*
 * What several repositories ask of a query they have narrowed down: how many rows it matches,
 * whether it matches any. Written once so each repository states only its table and filter.
 */

/** `count(*)` of the rows `query` matches, as a number (PostgreSQL's bigint arrives as text). */
export async function countOf<DB, TB extends keyof DB>(
	query: SelectQueryBuilder<DB, TB, object>
): Promise<number> {
	const row = await query
		.select(sql<string>`count(*)`.as('n'))
		.$castTo<{ n: string }>()
		.executeTakeFirstOrThrow();
	return Number(row.n);
}

/** Whether `query` (with a column selected) matches a row; reads one at most. */
export async function hasRow<DB, TB extends keyof DB, O>(
	query: SelectQueryBuilder<DB, TB, O>
): Promise<boolean> {
	return (await query.limit(1).executeTakeFirst()) !== undefined;
}

/** Tables read whole by id. Not `users` (the app role may not read its password hash) nor `sessions`. */
type WholeRowTable = Exclude<
	{ [T in keyof Database]: Database[T] extends { id: unknown } ? T : never }[keyof Database],
	'users' | 'sessions'
>;

/** The row of `table` with this id (RLS keeps it to the tenant's); `forUpdate` locks it for a change. */
export function findRowById<T extends WholeRowTable>(
	tx: Tx,
	table: T,
	id: string,
	options: { forUpdate?: boolean } = {}
): Promise<Selectable<Database[T]> | undefined> {
	// Kysely cannot type a read of a table chosen by a type parameter, hence the casts.
	const from = tx.selectFrom(table as WholeRowTable) as unknown as SelectQueryBuilder<
		Database,
		'findings',
		object
	>;
	return from
		.selectAll()
		.where('id', '=', id)
		.$if(!!options.forUpdate, (query) => query.forUpdate())
		.executeTakeFirst() as Promise<never>;
}
