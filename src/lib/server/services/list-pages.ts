import { isIsoDate } from '../domain/calendar';
import { badInput } from '../errors';
import { scopeOf, type Actor } from '../actor';
import type { AppDatabase, Tx } from '../db/tenant-scope';
import type { KeysetColumn, KeysetPage } from '../repositories/keyset';
import { id as uuid } from './common.schema';

/*
 * The keyset pages of the evaluation, certificate and organisation lists: a sort names its
 * columns (repositories/keyset.ts) and which field of a row holds each one's value; a page is
 * `pageSize` rows and, when more follow, an opaque cursor holding the sort and the last row's
 * key. A cursor is checked value by value against its sort before it reaches SQL, so a
 * hand-edited one is a 400 ("start from the first page"), never a database error.
 */

export type KeyKind = 'text' | 'date' | 'uuid';

export interface ListSort<Row> {
	columns: readonly (KeysetColumn & { field: keyof Row & string; kind: KeyKind })[];
}

export const LIST_PAGE_SIZE = 50;

type SortColumn<Row> = ListSort<Row>['columns'][number];

/** A sort column; the unique one that ends every order is `byId('evaluations.id')`. */
export const ascending = <Row>(column: string, field: keyof Row & string, kind: KeyKind) =>
	({ column, direction: 'asc', field, kind }) as SortColumn<Row>;
export const descending = <Row>(column: string, field: keyof Row & string, kind: KeyKind) =>
	({ column, direction: 'desc', field, kind }) as SortColumn<Row>;
export const byId = <Row extends { id: string }>(column: string) =>
	ascending<Row>(column, 'id', 'uuid');

export interface ListPage<Row> {
	rows: Row[];
	/** The cursor of the next page; null on the last. */
	next: string | null;
	/** How many rows the filter matches, on every page. */
	total: number;
}

const validValue: Record<KeyKind, (value: unknown) => boolean> = {
	text: (value) => typeof value === 'string' && value.length <= 1000,
	date: (value) => typeof value === 'string' && isIsoDate(value),
	uuid: (value) => typeof value === 'string' && uuid.safeParse(value).success
};

export function encodeListCursor(sort: string, key: readonly unknown[]): string {
	return Buffer.from(JSON.stringify([sort, ...key]), 'utf8').toString('base64url');
}

/** The key a cursor holds, or a refusal on the `cursor` field when it is not one of `sort`'s. */
export function decodeListCursor<Row>(
	text: string,
	sortName: string,
	sort: ListSort<Row>
): unknown[] {
	let parsed: unknown;
	try {
		parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
	} catch {
		parsed = null;
	}
	const fits =
		Array.isArray(parsed) &&
		parsed.length === sort.columns.length + 1 &&
		parsed[0] === sortName &&
		sort.columns.every((column, index) => validValue[column.kind](parsed[index + 1]));
	if (!fits) throw badInput('cursor', 'error_invalid_cursor');
	return (parsed as unknown[]).slice(1);
}

/** A page from `pageSize + 1` rows read in the sort's order. */
export function pageOf<Row>(
	rows: Row[],
	sortName: string,
	sort: ListSort<Row>,
	pageSize: number,
	total: number
): ListPage<Row> {
	const page = rows.slice(0, pageSize);
	const last = page.at(-1);
	const next =
		rows.length > pageSize && last
			? encodeListCursor(
					sortName,
					sort.columns.map((column) => last[column.field])
				)
			: null;
	return { rows: page, next, total };
}

/**
 * One page of a list in the tenant: decodes the cursor against the chosen order, reads
 * `pageSize + 1` rows after it and counts what the filter keeps, in one transaction.
 */
export async function readListPage<Row, Sort extends string>(
	db: AppDatabase,
	actor: Actor,
	orders: Record<Sort, ListSort<Row>>,
	input: { sort: Sort; cursor?: string | null; pageSize?: number },
	read: (tx: Tx, page: KeysetPage) => Promise<Row[]>,
	count: (tx: Tx) => Promise<number>
): Promise<ListPage<Row>> {
	const sort = orders[input.sort];
	const after = input.cursor ? decodeListCursor(input.cursor, input.sort, sort) : null;
	const pageSize = input.pageSize ?? LIST_PAGE_SIZE;
	return db.inTenant(scopeOf(actor), async (tx) => {
		const [rows, total] = await Promise.all([
			read(tx, { order: sort.columns, after, limit: pageSize + 1 }),
			count(tx)
		]);
		return pageOf(rows, input.sort, sort, pageSize, total);
	});
}

/** How many rows an export reads per batch (one short transaction each). */
export const EXPORT_BATCH_SIZE = 1000;

/**
 * Every row a list's filter keeps, in the list's order, as batches of `batchSize` read by keyset
 * (the rows after the last one's key), each in a transaction of its own: an export of any size
 * never holds a connection between batches, however slowly it is downloaded. No count is taken.
 */
export async function* readListBatches<Row, Sort extends string>(
	db: AppDatabase,
	actor: Actor,
	orders: Record<Sort, ListSort<Row>>,
	input: { sort: Sort; batchSize?: number },
	read: (tx: Tx, page: KeysetPage) => Promise<Row[]>
): AsyncGenerator<Row[], void, undefined> {
	const sort = orders[input.sort];
	const limit = input.batchSize ?? EXPORT_BATCH_SIZE;
	let after: unknown[] | null = null;
	for (;;) {
		const rows = await db.inTenant(scopeOf(actor), (tx) =>
			read(tx, { order: sort.columns, after, limit })
		);
		if (rows.length > 0) yield rows;
		const last = rows.at(-1);
		if (rows.length < limit || !last) return;
		after = sort.columns.map((column) => last[column.field]);
	}
}
