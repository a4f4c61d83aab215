import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';

/*
 * Keyset pages for the smaller lists (evaluations, certificates, organisations): an order is a
 * list of columns ending in a unique one (the id), each ascending or descending; the next page
 * is the rows after the last one's key in that order. The findings list has its own, index-
 * segmented reader (services/findings.ts), built for a million rows; these lists are thousands,
 * where one ordered scan with a row-wise "after" is as quick and much simpler.
 *
 * Mixed directions rule out a tuple comparison, so "after (v1, v2, id)" is spelled out:
 * c1 ⋛ v1 or (c1 = v1 and (c2 ⋛ v2 or (c2 = v2 and id > vid))). Every ordered column is
 * NOT NULL, so no NULL ordering is involved.
 */

export interface KeysetColumn {
	/** The column as SQL names it (`evaluations.window_start`). */
	column: string;
	direction: 'asc' | 'desc';
}

/** The rows that come after `key` (one value per column) in `order`. */
export function afterKey(
	order: readonly KeysetColumn[],
	key: readonly unknown[]
): RawBuilder<SqlBool> {
	const step = (index: number): RawBuilder<SqlBool> => {
		const { column, direction } = order[index]!;
		const ref = sql.ref(column);
		const past = direction === 'asc' ? sql`${ref} > ${key[index]}` : sql`${ref} < ${key[index]}`;
		if (index === order.length - 1) return past as RawBuilder<SqlBool>;
		return sql<SqlBool>`(${past} or (${ref} = ${key[index]} and ${step(index + 1)}))`;
	};
	return step(0);
}

/** The query's ORDER BY for `order`, as one expression list. */
export function orderOf(order: readonly KeysetColumn[]): Expression<unknown> {
	return sql.join(
		order.map(({ column, direction }) =>
			direction === 'asc' ? sql`${sql.ref(column)} asc` : sql`${sql.ref(column)} desc`
		)
	);
}

/** One page to read: the order, the key to start after (none: the first page), how many rows. */
export interface KeysetPage {
	order: readonly KeysetColumn[];
	after: readonly unknown[] | null;
	limit: number;
}
