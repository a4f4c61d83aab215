import { sql, type SelectQueryBuilder } from 'kysely';

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
