import type { AppDatabase } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import { badInput } from '../errors';
import { todayInZone } from '../domain/calendar';
import {
	lastMonth,
	monthPeriod,
	periodOf,
	REGISTRY_COLUMNS,
	registryPeriodProblem,
	type CertificateChange,
	type RegistryChange,
	type RegistryFile,
	type RegistryIssuer,
	type RegistryPeriod
} from '../domain/registry-export';
import {
	findAccreditationBody,
	listRegistryChanges,
	type RegistryChangeRow
} from '../repositories/registry';
import { CONTENT_TYPES, tableStream, type Cell } from '../export/table-stream';
import { auditAs } from './audit-entry';
import { authorize } from './authorize';
import { registryPeriodInput } from './registry-export.schema';
import { EXPORT_BATCH_SIZE } from './list-pages';

/*
 * Registry exports (issue 13 item 5): the certificate changes of a period as the CSV files IAF
 * CertSearch and the CNCA platform take, for the body's administrators. Built as the list exports
 * are (services/exports.ts): the first batch read before answering, so a refusal is an error page
 * and not a truncated file; then batches by keyset, each in a short transaction of its own; the
 * export recorded in the audit log (`list.export` on the list `registry`). The page shows the
 * same rows as a preview.
 */

/** The period asked by `params` (month, or from and to), or last month in the body's zone. */
export function registryPeriod(
	params: URLSearchParams,
	actor: Actor,
	now = new Date()
): RegistryPeriod {
	const parsed = registryPeriodInput.safeParse({
		month: params.get('month') ?? undefined,
		from: params.get('from') ?? undefined,
		to: params.get('to') ?? undefined
	});
	if (!parsed.success) {
		const issue = parsed.error.issues[0]!;
		throw badInput(String(issue.path[0] ?? 'month'), issue.message);
	}
	const { month, from, to } = parsed.data;
	if (from || to) {
		if (!from) throw badInput('from', 'registry_error_period_incomplete');
		if (!to) throw badInput('to', 'registry_error_period_incomplete');
		const problem = registryPeriodProblem(from, to);
		if (problem === 'order') throw badInput('to', 'registry_error_period_order');
		if (problem === 'length') throw badInput('from', 'registry_error_period_length');
		return periodOf(from, to);
	}
	const asked = month ?? lastMonth(todayInZone(now, actor.tenant.timeZone));
	const period = monthPeriod(asked);
	if (!period) throw badInput('month', 'registry_error_month_invalid');
	return period;
}

function toChange(row: RegistryChangeRow): RegistryChange {
	return {
		historyId: row.history_id,
		certificateId: row.certificate_id,
		certificateNumber: row.number,
		organisationName: row.legal_name,
		uscc: row.uscc,
		address: row.address,
		standardCode: row.standard_code,
		standardTitleZh: row.standard_title_zh,
		standardTitleEn: row.standard_title_en,
		scope: row.scope,
		status: row.status,
		// The query leaves `imported` and `previous_body` lines out.
		change: row.change as CertificateChange,
		effectiveOn: row.effective_on,
		decisionKind: row.decision_kind,
		decisionReason: row.decision_reason,
		originalIssuedOn: row.original_issued_on,
		issuedOn: row.issued_on,
		expiresOn: row.expires_on
	};
}

/** The changes of the period in the files' order, one batch (one transaction) at a time. */
export async function* registryChangeBatches(
	db: AppDatabase,
	actor: Actor,
	period: RegistryPeriod,
	batchSize = EXPORT_BATCH_SIZE
): AsyncGenerator<RegistryChange[]> {
	let afterId: string | null = null;
	for (;;) {
		const rows = await db.inTenant(scopeOf(actor), (tx) =>
			listRegistryChanges(tx, { from: period.from, to: period.to, afterId, limit: batchSize })
		);
		if (rows.length > 0) yield rows.map(toChange);
		if (rows.length < batchSize) return;
		afterId = rows[rows.length - 1]!.history_id;
	}
}

/** How many rows the page previews; the files hold all of them. */
export const REGISTRY_PREVIEW_ROWS = 200;

/** The page: the period and the first rows of it, with whether there are more. */
export async function registryPreview(db: AppDatabase, actor: Actor, period: RegistryPeriod) {
	authorize(actor, 'registry.export');
	const rows = await db.inTenant(scopeOf(actor), (tx) =>
		listRegistryChanges(tx, { ...period, limit: REGISTRY_PREVIEW_ROWS + 1 })
	);
	return {
		period,
		rows: rows.slice(0, REGISTRY_PREVIEW_ROWS).map(toChange),
		more: rows.length > REGISTRY_PREVIEW_ROWS
	};
}

export interface RegistryExportFile {
	fileName: string;
	contentType: string;
	body: ReadableStream<Uint8Array>;
}

const FILE_NAMES: Record<RegistryFile, string> = {
	'iaf-certsearch': 'iaf-certsearch',
	cnca: 'cnca'
};

/** `iaf-certsearch-2026-11.csv`, `cnca-2026-11-03_2026-11-20.csv`. */
function fileNameOf(file: RegistryFile, period: RegistryPeriod): string {
	const span = period.month ?? `${period.from}_${period.to}`;
	return `${FILE_NAMES[file]}-${span}.csv`;
}

/**
 * Starts the download of one registry file for the period: authorises, reads the first batch,
 * records the export in the audit log, then streams the rest as the client reads it.
 */
export async function startRegistryExport(
	db: AppDatabase,
	actor: Actor,
	file: RegistryFile,
	period: RegistryPeriod
): Promise<RegistryExportFile> {
	authorize(actor, 'registry.export');
	const columns = REGISTRY_COLUMNS[file];
	const rows = registryChangeBatches(db, actor, period);
	const first = await rows.next();
	const issuer: RegistryIssuer = await db.inTenant(scopeOf(actor), async (tx) => {
		await auditAs(tx, actor, 'list.export', 'list', 'registry', {
			after: { format: 'csv', registry: file, from: period.from, to: period.to }
		});
		return { accreditationBody: await findAccreditationBody(tx, actor.tenantId) };
	});
	const cellsOf = (batch: RegistryChange[]): Cell[][] =>
		batch.map((row) => columns.map((column) => column.value(row, issuer)));
	const batches = (async function* () {
		if (first.done) return;
		yield cellsOf(first.value);
		for await (const batch of rows) yield cellsOf(batch);
	})();
	return {
		fileName: fileNameOf(file, period),
		contentType: CONTENT_TYPES.csv,
		body: tableStream('csv', {
			columns: columns.map((column) => ({ header: column.header, kind: column.kind })),
			batches,
			sheetName: FILE_NAMES[file]
		})
	};
}
