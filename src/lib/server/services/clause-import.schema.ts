import { z } from 'zod';
import { id } from './common.schema';

/* The input of the clause CSV import, for its preview and the import itself. */

/** The largest CSV accepted (a few thousand clauses fit many times over). */
export const CLAUSE_CSV_MAX_CHARACTERS = 4_000_000;

const csv = z
	.string({ error: 'catalogue_csv_empty' })
	.max(CLAUSE_CSV_MAX_CHARACTERS, { error: 'catalogue_csv_too_large' });

/** A CSV of clauses for a standard: previewed, or imported all or nothing. */
export const clauseImportInput = z.object({ standardId: id, csv });
