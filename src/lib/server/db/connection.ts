import { Kysely } from 'kysely';
import { PGlite } from '@electric-sql/pglite';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { PostgresJSDialect } from 'kysely-postgres-js';
import postgres from 'postgres';
import { mkdirSync } from 'node:fs';
import type { Database } from '../../../../db/schema';

export type DatabaseKind = 'postgres' | 'pglite';

export interface DatabaseConnection {
	kind: DatabaseKind;
	/** The owner's handle. Only the tenant-scope helpers and the migrator/seed may use it. */
	kysely: Kysely<Database>;
	close(): Promise<void>;
}

const DATE_OID = 1082;
const JSON_OID = 114;
const JSONB_OID = 3802;
const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** Dates stay 'YYYY-MM-DD' strings: a due date is a calendar day in the tenant's zone, not an instant. */
export function connectPostgres(url: string, options: { max?: number } = {}): DatabaseConnection {
	const client = postgres(url, {
		max: options.max ?? 10,
		onnotice: () => {},
		types: {
			date: {
				to: DATE_OID,
				from: [DATE_OID],
				serialize: (value: string) => value,
				parse: (value: string) => value
			},
			// JSON columns are written as JSON text (as PGlite takes them); postgres.js would
			// otherwise stringify the text a second time and store a JSON string.
			json: {
				to: JSON_OID,
				from: [JSON_OID, JSONB_OID],
				serialize: (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value)),
				parse: (value: string) => JSON.parse(value)
			}
		}
	});
	const kysely = new Kysely<Database>({ dialect: new PostgresJSDialect({ postgres: client }) });
	return { kind: 'postgres', kysely, close: () => kysely.destroy() };
}

/** PGlite keeps its files in `dataDir`; undefined means in memory (tests). */
export function connectPglite(dataDir?: string): DatabaseConnection {
	if (dataDir) mkdirSync(dataDir, { recursive: true });
	const pglite = new PGlite({
		dataDir,
		parsers: {
			[DATE_OID]: (value: string) => value,
			[INT8_OID]: (value: string) => value,
			[NUMERIC_OID]: (value: string) => value
		}
	});
	const kysely = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
	return { kind: 'pglite', kysely, close: () => kysely.destroy() };
}
