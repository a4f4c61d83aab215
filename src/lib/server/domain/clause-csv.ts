/*
 * A standard's clause tree as a CSV file (SPEC §3: "Clause trees import from CSV"). Pure: the
 * text in, every row with the problems found in it out, so the admin sees the whole report in
 * the preview and the import refuses the same rows the preview named.
 *
 * The file: a header row `number,title_zh[,title_en]` (any order, any case), then one clause a
 * row; RFC 4180 quoting (a quoted field may hold commas, quotes as "" and line breaks), CRLF or
 * LF, and the UTF-8 byte-order mark spreadsheet programs put first.
 */

export const CLAUSE_CSV_MAX_ROWS = 5000;
/** Of the CSV text, in characters: 5,000 rows of long titles fit with room to spare. */
export const CLAUSE_CSV_MAX_LENGTH = 2_000_000;
export const CLAUSE_NUMBER_MAX_LENGTH = 40;
export const CLAUSE_TITLE_MAX_LENGTH = 500;
/** Deeper than 4.2.1.3.5.7.9.11 is a typing mistake, not a clause. */
export const CLAUSE_MAX_DEPTH = 8;

/** Message keys (messages/catalogue) of the problems a row can have. */
export type ClauseRowError =
	| 'catalogue_csv_number_required'
	| 'catalogue_csv_number_invalid'
	| 'catalogue_csv_number_too_long'
	| 'catalogue_csv_number_duplicate'
	| 'catalogue_csv_parent_missing'
	| 'catalogue_csv_title_zh_required'
	| 'catalogue_csv_title_zh_too_long'
	| 'catalogue_csv_title_en_too_long'
	| 'catalogue_csv_too_many_fields';

/** Message keys of the problems of the file as a whole (nothing is read row by row then). */
export type ClauseFileError =
	| 'catalogue_csv_empty'
	| 'catalogue_csv_too_large'
	| 'catalogue_csv_header_invalid'
	| 'catalogue_csv_unclosed_quote'
	| 'catalogue_csv_no_rows'
	| 'catalogue_csv_too_many_rows'
	| 'catalogue_csv_nul_character';

export interface ClauseCsvRow {
	/** The line of the file the row starts on (the header is line 1). */
	line: number;
	number: string;
	titleZh: string;
	/** null when the file has no title_en column: existing English titles stay as they are. */
	titleEn: string | null;
	errors: ClauseRowError[];
}

export interface ClauseCsv {
	rows: ClauseCsvRow[];
	fileErrors: ClauseFileError[];
}

const NUMBER_PART = '(?:0|[1-9][0-9]{0,3})';
/** `4`, `4.2`, `4.2.1`; annexes: `A`, `A.1`, `B.2.3`. Parts up to 4 digits, no leading zeros. */
const CLAUSE_NUMBER = new RegExp(`^(?:[A-Z]|${NUMBER_PART})(?:\\.${NUMBER_PART})*$`);

/** How a clause number is written: trimmed, annex letter in capitals. */
export function normaliseClauseNumber(input: string): string {
	return input.trim().toUpperCase();
}

/** Why `number` (normalised) cannot name a clause, or null when it can. */
export function clauseNumberProblem(
	number: string
):
	| 'catalogue_csv_number_required'
	| 'catalogue_csv_number_too_long'
	| 'catalogue_csv_number_invalid'
	| null {
	if (number === '') return 'catalogue_csv_number_required';
	if (number.length > CLAUSE_NUMBER_MAX_LENGTH) return 'catalogue_csv_number_too_long';
	if (!CLAUSE_NUMBER.test(number) || number.split('.').length > CLAUSE_MAX_DEPTH)
		return 'catalogue_csv_number_invalid';
	return null;
}

/** The clause a number hangs under: `4.2.1` → `4.2`; a top-level clause has none. */
export function parentClauseNumber(number: string): string | null {
	const dot = number.lastIndexOf('.');
	return dot === -1 ? null : number.slice(0, dot);
}

/** How deep in the tree: `4` is 0, `4.2.1` is 2. */
export function clauseDepth(number: string): number {
	return number.split('.').length - 1;
}

/**
 * The key clauses sort by, as the demo seed writes it: each part zero-padded to 4, so 4.10
 * follows 4.9. An annex letter is padded after it (`A000`) so annexes follow every numbered
 * clause, in byte order and in the database's linguistic collations alike (digits first).
 */
export function clauseSortKey(number: string): string {
	return number
		.split('.')
		.map((part) => (/^[A-Z]$/.test(part) ? part.padEnd(4, '0') : part.padStart(4, '0')))
		.join('.');
}

interface CsvRecord {
	line: number;
	fields: string[];
}

/** RFC 4180 records with the line each starts on; null when a quote is never closed. */
function csvRecords(text: string): CsvRecord[] | null {
	const records: CsvRecord[] = [];
	let fields: string[] = [];
	let field = '';
	let quoted = false;
	let line = 1;
	let recordLine = 1;
	let i = 0;
	const endRecord = () => {
		fields.push(field);
		records.push({ line: recordLine, fields });
		fields = [];
		field = '';
	};
	while (i < text.length) {
		const char = text[i];
		if (quoted) {
			if (char === '"') {
				if (text[i + 1] === '"') {
					field += '"';
					i += 2;
					continue;
				}
				quoted = false;
				i += 1;
				continue;
			}
			if (char === '\n') line += 1;
			if (char === '\r' && text[i + 1] !== '\n') line += 1;
			field += char;
			i += 1;
			continue;
		}
		if (char === '"' && field === '') {
			quoted = true;
			i += 1;
		} else if (char === ',') {
			fields.push(field);
			field = '';
			i += 1;
		} else if (char === '\r' || char === '\n') {
			endRecord();
			i += char === '\r' && text[i + 1] === '\n' ? 2 : 1;
			line += 1;
			recordLine = line;
		} else {
			field += char;
			i += 1;
		}
	}
	if (quoted) return null;
	if (field !== '' || fields.length > 0) endRecord();
	return records;
}

const COLUMNS = ['number', 'title_zh', 'title_en'] as const;
type Column = (typeof COLUMNS)[number];

/** Where each column is, or null when the header is not ours. */
function readHeader(fields: string[]): Record<Column, number | null> | null {
	const positions: Record<Column, number | null> = { number: null, title_zh: null, title_en: null };
	for (const [index, raw] of fields.entries()) {
		const name = raw.trim().toLowerCase() as Column;
		if (!COLUMNS.includes(name) || positions[name] !== null) return null;
		positions[name] = index;
	}
	if (positions.number === null || positions.title_zh === null) return null;
	return positions;
}

const fileProblem = (error: ClauseFileError): ClauseCsv => ({ rows: [], fileErrors: [error] });

/**
 * Reads a clause CSV and checks every row: the number's form, the titles, numbers repeated in
 * the file, and that each clause's parent is in the file or already in the standard
 * (`existingNumbers`).
 */
export function parseClauseCsv(text: string, existingNumbers: Iterable<string> = []): ClauseCsv {
	if (text.length > CLAUSE_CSV_MAX_LENGTH) return fileProblem('catalogue_csv_too_large');
	// PostgreSQL cannot store NUL in text; a file with one is no clause list.
	if (text.includes('\u0000')) return fileProblem('catalogue_csv_nul_character');
	const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
	if (body.trim() === '') return fileProblem('catalogue_csv_empty');
	const records = csvRecords(body);
	if (!records) return fileProblem('catalogue_csv_unclosed_quote');
	const nonBlank = records.filter((record) => record.fields.some((field) => field.trim() !== ''));
	const [header, ...data] = nonBlank;
	const columns = header ? readHeader(header.fields) : null;
	if (!header || !columns) return fileProblem('catalogue_csv_header_invalid');
	if (data.length === 0) return fileProblem('catalogue_csv_no_rows');
	if (data.length > CLAUSE_CSV_MAX_ROWS) return fileProblem('catalogue_csv_too_many_rows');

	const rows: ClauseCsvRow[] = data.map(({ line, fields }) => {
		const at = (position: number | null) => (position === null ? '' : (fields[position] ?? ''));
		const row: ClauseCsvRow = {
			line,
			number: normaliseClauseNumber(at(columns.number)),
			titleZh: at(columns.title_zh).trim(),
			titleEn: columns.title_en === null ? null : at(columns.title_en).trim(),
			errors: []
		};
		const numberProblem = clauseNumberProblem(row.number);
		if (numberProblem) row.errors.push(numberProblem);
		if (row.titleZh === '') row.errors.push('catalogue_csv_title_zh_required');
		else if (row.titleZh.length > CLAUSE_TITLE_MAX_LENGTH)
			row.errors.push('catalogue_csv_title_zh_too_long');
		if ((row.titleEn?.length ?? 0) > CLAUSE_TITLE_MAX_LENGTH)
			row.errors.push('catalogue_csv_title_en_too_long');
		if (fields.length > header.fields.length) row.errors.push('catalogue_csv_too_many_fields');
		return row;
	});

	const occurrences = new Map<string, number>();
	for (const row of rows) occurrences.set(row.number, (occurrences.get(row.number) ?? 0) + 1);
	const known = new Set([...existingNumbers, ...rows.map((row) => row.number)]);
	for (const row of rows) {
		if (row.number === '' || row.errors.includes('catalogue_csv_number_invalid')) continue;
		if ((occurrences.get(row.number) ?? 0) > 1) row.errors.push('catalogue_csv_number_duplicate');
		const parent = parentClauseNumber(row.number);
		if (parent !== null && !known.has(parent)) row.errors.push('catalogue_csv_parent_missing');
	}
	return { rows, fileErrors: [] };
}

/** Whether the file can be imported as it is: no problem in it or in any row. */
export function clauseCsvIsClean(csv: ClauseCsv): boolean {
	return csv.fileErrors.length === 0 && csv.rows.every((row) => row.errors.length === 0);
}
