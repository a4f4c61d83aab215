import { z } from 'zod';
import { id } from './common.schema';
import { CLAUSE_CSV_MAX_LENGTH } from '../domain/clause-csv';

/* The input of the clause CSV import, for its preview and the import itself. */

/** The largest CSV accepted: the same bound the parser holds it to, so both refuse alike. */
export const CLAUSE_CSV_MAX_CHARACTERS = CLAUSE_CSV_MAX_LENGTH;

const csv = z
	.string({ error: 'catalogue_csv_empty' })
	.max(CLAUSE_CSV_MAX_CHARACTERS, { error: 'catalogue_csv_too_large' });

/** A CSV of clauses for a standard: previewed, or imported all or nothing. */
export const clauseImportInput = z.object({ standardId: id, csv });
