import type { AppDatabase } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import type { Locale } from '../../../../db/schema';
import type { Capability } from '../domain/permissions';
import { todayInZone } from '../domain/calendar';
import { badInput } from '../errors';
import { translate } from '../i18n/translate';
import { strictListInput } from '../http/list-query';
import {
	CERTIFICATE_QUERY,
	EVALUATION_QUERY,
	FINDING_QUERY,
	OBLIGATION_QUERY,
	ORGANISATION_QUERY
} from '../http/list-names';
import {
	CONTENT_TYPES,
	tableStream,
	type Cell,
	type CellKind,
	type TableColumn
} from '../export/table-stream';
import type { ExportFormat, ExportList } from '../../exports';
import { auditAs } from './audit-entry';
import { findingListInput } from './findings.schema';
import { findingBatches } from './findings';
import { listEvaluationsSchema } from './evaluations.schema';
import { evaluationBatches } from './evaluations';
import { listCertificatesInput } from './certificates.schema';
import { certificateBatches } from './certificates';
import { listOrganisationsInput } from './organisations.schema';
import { organisationBatches, organisationName } from './organisations';
import { listDueItemsInput } from './obligations.schema';
import { dueItemBatches } from './obligations';
import { EXPORT_BATCH_SIZE } from './list-pages';

/*
 * Exports (issue 11 item 4): each list (findings, evaluations, certificates, organisations,
 * obligations) as CSV or XLSX, holding exactly the rows its filter keeps, in its order. The
 * filter is read through the list's own schema under the list page's query names, strictly (a
 * value the list does not offer is a 400, not a silently wider file); the rows come from the
 * list's own service, in batches of 1,000 read by keyset, each in a short transaction of its own
 * under the tenant's row-level security. Headers and the values of enumerations are in the
 * reader's language, dates are days in the body's zone (as the lists show them).
 *
 * Why a transaction per batch rather than one for the whole file: a million rows downloaded at
 * the pace of a slow client would hold a pooled connection (PGlite's only one) for minutes; a
 * batch holds it for milliseconds. The keyset carries on after the last row written, so no row is
 * written twice; a row changed while the file streams shows as it was when its batch was read.
 */

type Words = (key: string, params?: Record<string, string | number>) => string;

interface ListExport<Input, Row> {
	/** Who may ever export it: the capability its list page asks for. */
	gate: Capability | 'member';
	/** The list page's title: the file's name and the sheet's. */
	titleKey: string;
	/** The list's filter from the page's query string, strictly; refusals name the parameter. */
	input(db: AppDatabase, actor: Actor, params: URLSearchParams): Promise<Input>;
	batches(db: AppDatabase, actor: Actor, input: Input, now: Date): AsyncGenerator<Row[]>;
	columns: readonly ExportColumn<Row>[];
}

interface ExportColumn<Row> {
	/** Message key of the header. */
	header: string;
	kind: CellKind;
	width?: number;
	value(row: Row, words: Words, locale: Locale): Cell;
}

const text = <Row>(
	header: string,
	value: ExportColumn<Row>['value'],
	width?: number
): ExportColumn<Row> => ({ header, kind: 'text', value, width });
const date = <Row>(header: string, value: ExportColumn<Row>['value']): ExportColumn<Row> => ({
	header,
	kind: 'date',
	value
});
const count = <Row>(header: string, value: ExportColumn<Row>['value']): ExportColumn<Row> => ({
	header,
	kind: 'number',
	value,
	width: 10
});
/** The value's message (`findings_status_open`), or nothing for none. */
const word = (words: Words, prefix: string, value: string | null | undefined) =>
	value ? words(`${prefix}${value}`) : null;
const localTitle = (locale: Locale, zh: string, en: string | null | undefined) =>
	locale === 'en' && en ? en : zh;
const idColumn = <Row extends { id: string }>() => text<Row>('exports_col_id', (row) => row.id, 38);

// ---------------------------------------------------------------------------------------------
// The lists

type RowOf<F> = F extends (...args: never[]) => AsyncGenerator<(infer Row)[]> ? Row : never;
type FindingInput = Awaited<ReturnType<typeof findingInput>>;
type FindingRow = RowOf<typeof findingBatches>;

async function findingInput(db: AppDatabase, actor: Actor, params: URLSearchParams) {
	const { cursor: _cursor, ...filter } = strictListInput(findingListInput, params, FINDING_QUERY);
	void _cursor;
	// The page shows every finding for an organisation it cannot name; a file saying "all" for a
	// filter that named one would not be what was asked, so it is refused instead.
	if (filter.organisationId && (await organisationName(db, actor, filter.organisationId)) === null)
		throw badInput(FINDING_QUERY.organisationId, 'error_not_found');
	return { ...filter, sort: filter.sort ?? 'raised' };
}

const FINDINGS: ListExport<FindingInput, FindingRow> = {
	gate: 'finding.list',
	titleKey: 'nav_findings',
	input: findingInput,
	batches: (db, actor, input, now) =>
		findingBatches(db, actor, input, { now, batchSize: EXPORT_BATCH_SIZE }),
	columns: [
		text('evaluations_col_reference', (row) => row.reference, 12),
		text('evaluations_col_finding_kind', (row, words) => word(words, 'findings_kind_', row.kind)),
		text('evaluations_filter_grade', (row, words) => word(words, 'findings_grade_', row.grade), 10),
		text('evaluations_col_statement', (row) => row.statement, 60),
		text('evaluations_col_organisation', (row) => row.organisation_name, 30),
		text('evaluations_col_evaluation', (row, words) =>
			word(words, 'evaluations_kind_', row.evaluation_kind)
		),
		date('exports_col_evaluation_start', (row) => row.evaluation_window_start),
		text('evaluations_col_standard', (row) => row.standard_code, 16),
		text('evaluations_col_clause', (row) => row.clause_number, 10),
		text('evaluations_col_finding_status', (row, words) =>
			word(words, 'findings_status_', row.status)
		),
		date('evaluations_col_raised', (row) => row.raised_on),
		date('evaluations_col_due', (row) => row.due_on),
		text('exports_col_overdue', (row, words) => words(row.overdue ? 'yes' : 'no'), 8),
		idColumn()
	]
};

type EvaluationInput = ReturnType<typeof strictListInput<typeof listEvaluationsSchema>>;
type EvaluationRow = RowOf<typeof evaluationBatches>;

const EVALUATIONS: ListExport<EvaluationInput, EvaluationRow> = {
	gate: 'evaluation.read',
	titleKey: 'nav_evaluations',
	input: async (_db, _actor, params) =>
		strictListInput(listEvaluationsSchema, params, EVALUATION_QUERY),
	batches: (db, actor, input) => evaluationBatches(db, actor, input),
	columns: [
		date('exports_col_window_start', (row) => row.window_start),
		date('exports_col_window_end', (row) => row.window_end),
		text('evaluations_col_kind', (row, words) => word(words, 'evaluations_kind_', row.kind)),
		text('exports_col_evaluation_reference', (row) => row.reference, 12),
		text('evaluations_col_organisation', (row) => row.organisation_name, 30),
		text('evaluations_col_standard', (row) => row.standard_code, 16),
		text('evaluations_col_certificate', (row) => row.certificate_number),
		text('evaluations_col_lead', (row) => row.lead_name),
		text('evaluations_col_status', (row, words) => word(words, 'evaluations_status_', row.status)),
		count('evaluations_col_open_findings', (row) => Number(row.open_findings ?? 0)),
		idColumn()
	]
};

type CertificateInput = ReturnType<typeof strictListInput<typeof listCertificatesInput>>;
type CertificateRow = RowOf<typeof certificateBatches>;

const CERTIFICATES: ListExport<CertificateInput, CertificateRow> = {
	gate: 'certificate.list',
	titleKey: 'nav_certificates',
	input: async (_db, _actor, params) =>
		strictListInput(listCertificatesInput, params, CERTIFICATE_QUERY),
	batches: (db, actor, input) => certificateBatches(db, actor, input),
	columns: [
		text('certificate_number', (row) => row.number),
		text('certificate_organisation', (row) => row.organisation_name, 30),
		text('certificate_standard', (row) => row.standard_code, 16),
		text(
			'exports_col_standard_title',
			(row, _words, locale) => localTitle(locale, row.standard_title_zh, row.standard_title_en),
			30
		),
		text('certificate_scope', (row) => row.scope, 40),
		text(
			'certificate_grade',
			(row, _words, locale) => localTitle(locale, row.grade_zh ?? '', row.grade_en) || null
		),
		text('certificate_status', (row, words) => word(words, 'status_', row.status)),
		date('exports_col_issued_on', (row) => row.issued_on),
		date('exports_col_expires_on', (row) => row.expires_on),
		idColumn()
	]
};

type OrganisationInput = ReturnType<typeof strictListInput<typeof listOrganisationsInput>>;
type OrganisationRow = RowOf<typeof organisationBatches>;

const ORGANISATIONS: ListExport<OrganisationInput, OrganisationRow> = {
	gate: 'organisation.list',
	titleKey: 'nav_organisations',
	input: async (_db, _actor, params) =>
		strictListInput(listOrganisationsInput, params, ORGANISATION_QUERY),
	batches: (db, actor, input) => organisationBatches(db, actor, input),
	columns: [
		text('organisation_name', (row) => row.legal_name, 36),
		text('organisation_uscc', (row) => row.uscc, 22),
		text('organisation_address', (row) => row.address, 40),
		count('organisation_certificates', (row) => row.certificate_count),
		idColumn()
	]
};

type ObligationInput = ReturnType<typeof strictListInput<typeof listDueItemsInput>>;
type DueItemRow = RowOf<typeof dueItemBatches>;

const OBLIGATIONS: ListExport<ObligationInput, DueItemRow> = {
	gate: 'member',
	titleKey: 'obligations_title',
	input: async (_db, _actor, params) =>
		strictListInput(listDueItemsInput, params, OBLIGATION_QUERY),
	batches: (db, actor, input, now) =>
		dueItemBatches(db, actor, { organisationId: input.organisationId }, now),
	columns: [
		text('obligations_col_organisation', (row) => row.organisationName, 30),
		text(
			'obligations_col_obligation',
			(row, _words, locale) => localTitle(locale, row.titleZh, row.titleEn),
			30
		),
		text('exports_col_cadence', (row, words) => word(words, 'obligations_cadence_', row.cadence)),
		date('exports_col_period_start', (row) => row.periodStart),
		date('exports_col_period_end', (row) => row.periodEnd),
		date('obligations_col_due', (row) => row.dueOn),
		text('obligations_col_status', (row, words) =>
			word(words, 'obligations_status_', row.displayStatus)
		),
		text('exports_col_standing', (row, words) =>
			word(words, 'obligations_standing_', row.standing)
		),
		date('obligations_col_submitted', (row) => row.submittedOn),
		count('exports_col_evidence_count', (row) => row.evidenceCount),
		text('exports_col_review_comment', (row) => row.reviewComment, 40),
		idColumn()
	]
};

const EXPORTS: { [L in ExportList]: ListExport<never, never> } = {
	findings: FINDINGS,
	evaluations: EVALUATIONS,
	certificates: CERTIFICATES,
	organisations: ORGANISATIONS,
	obligations: OBLIGATIONS
} as never;

/** The capability a list's export asks for before anything is read ('member': any member). */
export function exportGate(list: ExportList): Capability | 'member' {
	return EXPORTS[list].gate;
}

// ---------------------------------------------------------------------------------------------
// The file

export interface ExportFile {
	/** `发现项-2026-12-03.xlsx`: the list's title in the reader's language and today in the body's zone. */
	fileName: string;
	/** The same in ASCII (`findings-2026-12-03.xlsx`), for clients that ignore `filename*`. */
	asciiFileName: string;
	contentType: string;
	body: ReadableStream<Uint8Array>;
}

/** The parameters an export link carries (and the audit entry records): the filter, as asked. */
function askedFilter(list: ExportList, params: URLSearchParams): Record<string, string> {
	const names: Record<string, string> = {
		findings: FINDING_QUERY,
		evaluations: EVALUATION_QUERY,
		certificates: CERTIFICATE_QUERY,
		organisations: ORGANISATION_QUERY,
		obligations: OBLIGATION_QUERY
	}[list];
	const asked: Record<string, string> = {};
	for (const [field, name] of Object.entries(names)) {
		const value = params.get(name);
		if (field !== 'cursor' && value) asked[name] = value.slice(0, 200);
	}
	return asked;
}

/**
 * Starts the export of `list` as `actor` sees it with the filter in `params`: checks the filter
 * (a Refusal on the parameter when the list does not offer it), records who exported what in the
 * audit log, and reads the first batch before answering, so a refusal or a database failure is
 * an error response, not a truncated file. The rest streams as the client reads it.
 */
export async function startExport(
	db: AppDatabase,
	actor: Actor,
	list: ExportList,
	format: ExportFormat,
	params: URLSearchParams,
	locale: Locale,
	now: Date = new Date()
): Promise<ExportFile> {
	const definition = EXPORTS[list] as unknown as ListExport<unknown, unknown>;
	const input = await definition.input(db, actor, params);
	const rows = definition.batches(db, actor, input, now);
	const first = await rows.next();
	await db.inTenant(scopeOf(actor), (tx) =>
		auditAs(tx, actor, 'list.export', 'list', list, {
			after: { format, filter: askedFilter(list, params), locale }
		})
	);

	const words: Words = (key, values) => translate(key, locale, values);
	const memo = new Map<string, string>();
	const cachedWords: Words = (key, values) => {
		if (values) return words(key, values);
		let found = memo.get(key);
		if (found === undefined) memo.set(key, (found = words(key)));
		return found;
	};
	const columns: TableColumn[] = definition.columns.map((column) => ({
		header: cachedWords(column.header),
		kind: column.kind,
		width: column.width
	}));
	const cellsOf = (batch: unknown[]) =>
		batch.map((row) => definition.columns.map((column) => column.value(row, cachedWords, locale)));
	const batches = (async function* () {
		if (first.done) return;
		yield cellsOf(first.value);
		for await (const batch of rows) yield cellsOf(batch);
	})();

	const title = translate(definition.titleKey, locale);
	const day = todayInZone(now, actor.tenant.timeZone);
	return {
		fileName: `${title}-${day}.${format}`,
		asciiFileName: `${list}-${day}.${format}`,
		contentType: CONTENT_TYPES[format],
		body: tableStream(format, { columns, batches, sheetName: title })
	};
}

/** `attachment; filename="findings-….csv"; filename*=UTF-8''%E5%8F%91…` (RFC 6266 / RFC 5987). */
export function contentDisposition(file: Pick<ExportFile, 'fileName' | 'asciiFileName'>): string {
	const encoded = encodeURIComponent(file.fileName).replace(
		/['()*]/g,
		(c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`
	);
	return `attachment; filename="${file.asciiFileName}"; filename*=UTF-8''${encoded}`;
}
