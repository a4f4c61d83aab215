import { PassThrough } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { ExportFormat } from '../../exports';

/*
 * A table (a header and rows, read batch by batch) written as a CSV or XLSX download that
 * streams: a batch is read only when the client has taken what came before (the web stream's
 * `pull`), so a million-row export holds about one batch in memory, however slow the download.
 */

export type CellKind = 'text' | 'date' | 'number';
export type Cell = string | number | null;

export interface TableColumn {
	header: string;
	kind: CellKind;
	/** Width in characters (XLSX). */
	width?: number;
}

export interface TableSource {
	columns: readonly TableColumn[];
	/** The rows, one batch at a time, cells in the order of `columns`. */
	batches: AsyncIterator<Cell[][]>;
	/** The worksheet's name (XLSX). */
	sheetName: string;
}

export const CONTENT_TYPES: Record<ExportFormat, string> = {
	csv: 'text/csv; charset=utf-8',
	xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
};

/** Excel reads a CSV as UTF-8 (and so shows Chinese) only when it starts with the BOM. */
const BOM = '\uFEFF';

/**
 * Text a spreadsheet would run as a formula (`=HYPERLINK(…)` in an organisation's name, OWASP
 * "CSV injection") gets a leading apostrophe. Numbers and dates are written as they are.
 */
export function defused(text: string): string {
	return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function csvText(rows: Cell[][], columns: readonly TableColumn[]): string {
	const cells = rows.map((row) =>
		row.map((cell, index) =>
			cell === null ? '' : columns[index]?.kind === 'text' ? defused(String(cell)) : cell
		)
	);
	return stringify(cells, { record_delimiter: 'windows' });
}

/** The table as CSV: the BOM and header, then one chunk per batch (CRLF line ends). */
export function csvStream(source: TableSource): ReadableStream<Uint8Array> {
	const encoder = new TextEncoder();
	const header = BOM + csvText([source.columns.map((column) => column.header)], source.columns);
	return new ReadableStream<Uint8Array>(
		{
			start(controller) {
				controller.enqueue(encoder.encode(header));
			},
			async pull(controller) {
				try {
					const next = await source.batches.next();
					if (next.done) controller.close();
					else controller.enqueue(encoder.encode(csvText(next.value, source.columns)));
				} catch (cause) {
					controller.error(cause);
				}
			},
			async cancel() {
				await source.batches.return?.();
			}
		},
		{ highWaterMark: 1 }
	);
}

/** A date-only value (`2026-12-03`, already in the tenant's zone) as the day Excel shows. */
function excelDay(text: string): Date | string {
	const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
	// exceljs counts serial days in UTC: midnight UTC is that calendar day, whatever the server's zone.
	return match ? new Date(Date.UTC(+match[1]!, +match[2]! - 1, +match[3]!)) : text;
}

function xlsxCell(cell: Cell, kind: CellKind): ExcelJS.CellValue {
	if (cell === null) return null;
	if (kind === 'date' && typeof cell === 'string') return excelDay(cell);
	return cell;
}

/** Worksheet names: at most 31 characters, none of : \ / ? * [ ]. */
function sheetNameOf(name: string): string {
	return name.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31) || 'Sheet1';
}

/**
 * The table as an XLSX workbook of one sheet, through exceljs's streaming writer: rows are
 * committed as they come and never kept, strings are written inline (no shared-strings table
 * growing with the export), and the zip comes out as it is deflated.
 *
 * exceljs passes data on inside without back-pressure, so the pacing is done here: `pull` adds
 * one batch and then waits until the zip has produced output (or a short while, for a batch too
 * small to fill exceljs's 64 KB buffer); the next batch waits for the client's next `pull`.
 */
export function xlsxStream(source: TableSource): ReadableStream<Uint8Array> {
	const out = new PassThrough();
	const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
		stream: out,
		useStyles: true,
		useSharedStrings: false
	});
	const sheet = workbook.addWorksheet(sheetNameOf(source.sheetName), {
		views: [{ state: 'frozen', ySplit: 1 }]
	});
	sheet.columns = source.columns.map((column, index) => ({
		key: String(index),
		width: column.width ?? (column.kind === 'date' ? 12 : 20),
		style: column.kind === 'date' ? { numFmt: 'yyyy-mm-dd' } : {}
	}));
	const header = sheet.addRow(source.columns.map((column) => column.header));
	header.font = { bold: true };
	header.commit();

	let produced = 0;
	let waiting: (() => void) | null = null;
	let finished = false;
	let failure: unknown = null;
	let controller!: ReadableStreamDefaultController<Uint8Array>;
	out.on('data', (chunk: Buffer) => {
		produced += chunk.length;
		controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
		waiting?.();
	});
	out.on('end', () => {
		finished = true;
		controller.close();
		waiting?.();
	});
	out.on('error', (cause) => {
		failure = cause;
		controller.error(cause);
		waiting?.();
	});

	/** Until the zip has put out more than `since` bytes, or `ms` have passed. */
	const outputAfter = (since: number, ms: number) =>
		new Promise<void>((resolve) => {
			if (produced > since || finished || failure) return resolve();
			const timer = setTimeout(done, ms);
			function done() {
				clearTimeout(timer);
				waiting = null;
				resolve();
			}
			waiting = () => {
				if (produced > since || finished || failure) done();
			};
		});

	let committing = false;
	return new ReadableStream<Uint8Array>(
		{
			start(streamController) {
				controller = streamController;
			},
			async pull() {
				if (committing) return outputAfter(produced, 1000);
				try {
					const next = await source.batches.next();
					if (next.done) {
						committing = true;
						sheet.commit();
						await workbook.commit();
						return;
					}
					const before = produced;
					for (const row of next.value)
						sheet
							.addRow(row.map((cell, index) => xlsxCell(cell, source.columns[index]!.kind)))
							.commit();
					await outputAfter(before, 50);
				} catch (cause) {
					controller.error(cause);
				}
			},
			async cancel() {
				await source.batches.return?.();
				out.destroy();
			}
		},
		{ highWaterMark: 1 }
	);
}

export function tableStream(format: ExportFormat, source: TableSource) {
	return format === 'csv' ? csvStream(source) : xlsxStream(source);
}
