import { redirect } from '@sveltejs/kit';
import type { z } from 'zod';
import { badInput, Refusal } from '../errors';

/*
 * A list page's address: its filters, order and page cursor as query parameters, read through
 * the list's own schema (the one its tRPC procedure takes), and the links a page offers (first
 * page, next page, clear filters) built from the same names.
 */

/** The query parameter of each input field: `{ search: 'q', cursor: 'after', … }`. */
export type QueryNames = Record<string, string>;

/**
 * The input a list URL asks for. A hand-edited value that is not one the list offers is left
 * out (the list shows more) rather than failing the page.
 */
export function listInputOf<S extends z.ZodType<object>>(
	schema: S,
	params: URLSearchParams,
	names: QueryNames
): Partial<z.output<S>> {
	const raw: Record<string, string> = {};
	for (const [field, name] of Object.entries(names)) {
		const value = params.get(name);
		if (value !== null) raw[field] = value;
	}
	for (;;) {
		const parsed = schema.safeParse(raw);
		if (parsed.success) return parsed.data as Partial<z.output<S>>;
		const wrong = parsed.error.issues.map((issue) => String(issue.path[0])).filter((f) => f in raw);
		if (wrong.length === 0) return {};
		for (const field of wrong) delete raw[field];
	}
}

/** Reads a page; a cursor the list refuses (another order's, or mangled) goes to the first page. */
export async function pageOrFirst<T>(url: URL, cursorName: string, read: () => Promise<T>) {
	try {
		return await read();
	} catch (cause) {
		if (cause instanceof Refusal && cause.field === 'cursor' && url.searchParams.has(cursorName)) {
			const first = new URL(url);
			first.searchParams.delete(cursorName);
			redirect(303, first.pathname + first.search);
		}
		throw cause;
	}
}

/** The links of a list page: its first page (when not on it), the next one, and no filters. */
export function listLinks(url: URL, cursorName: string, next: string | null, keep: string[] = []) {
	const at = (cursor: string | null) => {
		const target = new URLSearchParams(url.searchParams);
		target.delete(cursorName);
		if (cursor) target.set(cursorName, cursor);
		const query = target.toString();
		return query ? `${url.pathname}?${query}` : url.pathname;
	};
	const cleared = new URLSearchParams();
	for (const name of keep) {
		const value = url.searchParams.get(name);
		if (value) cleared.set(name, value);
	}
	return {
		firstPage: url.searchParams.has(cursorName) ? at(null) : null,
		nextPage: next ? at(next) : null,
		clearFilters: cleared.size ? `${url.pathname}?${cleared}` : url.pathname
	};
}

/**
 * A list page's load in one call: the input its address asks for, the page `read` answers for
 * it (a refused cursor goes back to the first page), and the links (clearing keeps the order).
 */
export async function loadListPage<S extends z.ZodType<object>, P extends { next: string | null }>(
	url: URL,
	schema: S,
	names: QueryNames & { cursor: string; sort: string },
	read: (input: Partial<z.output<S>>) => Promise<P>
) {
	const input = listInputOf(schema, url.searchParams, names);
	const page = await pageOrFirst(url, names.cursor, () => read(input));
	return { input, page, links: listLinks(url, names.cursor, page.next, [names.sort]) };
}

/**
 * The input a list URL asks for, through the list's schema, strictly: the first value the list
 * does not offer is refused (a 400 on its query parameter) rather than left out. The cursor is
 * not read: an export takes every page. Parameters the list does not name are ignored.
 */
export function strictListInput<S extends z.ZodType<object>>(
	schema: S,
	params: URLSearchParams,
	names: QueryNames
): z.output<S> {
	const raw: Record<string, string> = {};
	for (const [field, name] of Object.entries(names)) {
		const value = params.get(name);
		if (field !== 'cursor' && value !== null) raw[field] = value;
	}
	const parsed = schema.safeParse(raw);
	if (parsed.success) return parsed.data;
	const issue = parsed.error.issues[0]!;
	const field = String(issue.path[0] ?? '');
	throw badInput(names[field] ?? field, issue.message);
}

/**
 * The filter and order in force as a query string under `names`, without the cursor: what an
 * export link carries, so the file holds what the page shows (a value the page left out is not
 * passed on to be refused).
 */
export function filterQueryOf(input: object, names: QueryNames): string {
	const params = new URLSearchParams();
	for (const [field, name] of Object.entries(names)) {
		const value = (input as Record<string, unknown>)[field];
		if (field === 'cursor' || value === undefined || value === null || value === '') continue;
		if (value === false) continue;
		params.set(name, value === true ? '1' : String(value));
	}
	return params.toString();
}
