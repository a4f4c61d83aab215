import { sql, type Kysely } from 'kysely';

/**
 * Runs a DDL script statement by statement: both drivers send parameterised (extended
 * protocol) queries, which take one statement each. Statements end with `;` at a line's end;
 * keep function bodies out of scripts (run them with their own sql``).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function runScript(db: Kysely<any>, script: string): Promise<void> {
	const statements = script
		.split(/;\s*$/m)
		.map((statement) => statement.trim())
		.filter((statement) => statement.replace(/--.*$/gm, '').trim().length > 0);
	for (const statement of statements) await sql.raw(statement).execute(db);
}
