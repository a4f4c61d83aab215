import type { AppDatabase, Tx } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import {
	clauseCsvIsClean,
	clauseDepth,
	clauseSortKey,
	parentClauseNumber,
	parseClauseCsv,
	type ClauseCsv,
	type ClauseCsvRow
} from '../domain/clause-csv';
import { notFound } from '../errors';
import * as repo from '../repositories/catalogue';
import { authorize } from './authorize';
import { auditAs } from './audit-entry';

/*
 * Clauses imported from a CSV (number,title_zh[,title_en]): previewed row by row, then imported
 * all or nothing.
 */

export interface ClauseImportRow extends ClauseCsvRow {
	/** new: a number the standard lacks; update: its titles change; unchanged: nothing to do. */
	status: 'new' | 'update' | 'unchanged';
}

export interface ClauseImportPreview {
	rows: ClauseImportRow[];
	fileErrors: ClauseCsv['fileErrors'];
	counts: { new: number; update: number; unchanged: number; withErrors: number };
	/** Whether the file can be imported as it stands. */
	clean: boolean;
}

type ExistingClause = Awaited<ReturnType<typeof repo.listClauses>>[number];

function previewOf(csv: ClauseCsv, existing: ExistingClause[]): ClauseImportPreview {
	const byNumber = new Map(existing.map((clause) => [clause.number, clause]));
	const rows = csv.rows.map((row): ClauseImportRow => {
		const current = byNumber.get(row.number);
		const status = !current
			? 'new'
			: current.title_zh === row.titleZh && (row.titleEn ?? current.title_en) === current.title_en
				? 'unchanged'
				: 'update';
		return { ...row, status };
	});
	const count = (status: ClauseImportRow['status']) =>
		rows.filter((row) => row.status === status && row.errors.length === 0).length;
	return {
		rows,
		fileErrors: csv.fileErrors,
		counts: {
			new: count('new'),
			update: count('update'),
			unchanged: count('unchanged'),
			withErrors: rows.filter((row) => row.errors.length > 0).length
		},
		clean: clauseCsvIsClean(csv)
	};
}

async function previewIn(tx: Tx, standardId: string, csv: string, lock: boolean) {
	if (!(await repo.findStandard(tx, standardId, { forUpdate: lock }))) throw notFound();
	const existing = await repo.listClauses(tx, standardId);
	const parsed = parseClauseCsv(
		csv,
		existing.map((clause) => clause.number)
	);
	return { existing, preview: previewOf(parsed, existing) };
}

/** What importing `csv` would do, row by row, with every problem found; changes nothing. */
export function previewClauseImport(
	db: AppDatabase,
	actor: Actor,
	standardId: string,
	csv: string
): Promise<ClauseImportPreview> {
	authorize(actor, 'catalogue.manage');
	return db.inTenant(scopeOf(actor), async (tx) => {
		const { preview } = await previewIn(tx, standardId, csv, false);
		return preview;
	});
}

export type ClauseImportResult =
	| { imported: false; preview: ClauseImportPreview }
	| { imported: true; preview: ClauseImportPreview; inserted: number; updated: number };

/**
 * Imports a clause CSV all or nothing: the file is read and checked again here (the clauses may
 * have changed since the preview), and one bad row means nothing is written.
 */
export function importClauses(
	db: AppDatabase,
	actor: Actor,
	standardId: string,
	csv: string
): Promise<ClauseImportResult> {
	authorize(actor, 'catalogue.manage');
	return db.inTenant(scopeOf(actor), async (tx): Promise<ClauseImportResult> => {
		const { existing, preview } = await previewIn(tx, standardId, csv, true);
		if (!preview.clean) return { imported: false, preview };

		const ids = new Map(existing.map((clause) => [clause.number, clause.id]));
		const fresh = preview.rows.filter((row) => row.status === 'new');
		// Parents first: every parent is one level up, in the standard or inserted just before.
		const depths = [...new Set(fresh.map((row) => clauseDepth(row.number)))].sort((a, b) => a - b);
		for (const depth of depths) {
			const level = fresh.filter((row) => clauseDepth(row.number) === depth);
			for (let start = 0; start < level.length; start += 1000) {
				const inserted = await repo.insertClauses(
					tx,
					level.slice(start, start + 1000).map((row) => {
						const parent = parentClauseNumber(row.number);
						return {
							tenantId: actor.tenantId,
							standardId,
							parentId: parent ? (ids.get(parent) ?? null) : null,
							number: row.number,
							titleZh: row.titleZh,
							titleEn: row.titleEn ?? '',
							sortKey: clauseSortKey(row.number)
						};
					})
				);
				for (const clause of inserted) ids.set(clause.number, clause.id);
			}
		}
		const current = new Map(existing.map((clause) => [clause.number, clause]));
		const changed = preview.rows
			.filter((row) => row.status === 'update')
			.map((row) => {
				const clause = current.get(row.number)!;
				return { id: clause.id, titleZh: row.titleZh, titleEn: row.titleEn ?? clause.title_en };
			});
		await repo.updateClausesTitles(tx, changed);

		if (fresh.length + changed.length > 0)
			await auditAs(tx, actor, 'clause.import', 'standard', standardId, {
				after: {
					rows: preview.rows.length,
					inserted: fresh.length,
					updated: changed.length,
					unchanged: preview.counts.unchanged
				}
			});
		return { imported: true, preview, inserted: fresh.length, updated: changed.length };
	});
}
