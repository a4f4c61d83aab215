import type { AppDatabase, Tx } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import { clauseDepth } from '../domain/clause-csv';
import { badInput, notFound, Refusal, staleVersion } from '../errors';
import { refuseUniqueViolations } from '../db/errors';
import * as repo from '../repositories/catalogue';
import { authorize } from './authorize';
import { checked, requireVersion } from './catalogue-support';
import { auditAs } from './audit-entry';
import { gradeScaleWithLevels } from './grade-scales';
import { schemeRulesOf } from './scheme-rules';
import { createStandardInput, type StandardInput } from './standards.schema';
import { timelineOf, type TimelineEntry } from './timeline';

/*
 * Standards (SPEC §3), each with its clause tree, grade scale and scheme rules. Every member of
 * the body's staff reads them (evaluators record findings against their clauses); only those
 * who manage the catalogue change them.
 */

export type { StandardInput } from './standards.schema';

export function listStandards(db: AppDatabase, actor: Actor) {
	authorize(actor, 'catalogue.read');
	return db.inTenant(scopeOf(actor), async (tx) => {
		const rows = await repo.listStandards(tx);
		return rows.map((row) => ({ ...row, clause_count: Number(row.clause_count ?? 0) }));
	});
}

/**
 * A standard with what working on it needs: its clauses in tree order (each with its depth),
 * its grade scale and levels (rank 1 highest), and its scheme rules (the defaults if unsaved).
 */
export function getStandard(db: AppDatabase, actor: Actor, id: string) {
	authorize(actor, 'catalogue.read');
	return db.inTenant(scopeOf(actor), async (tx) => {
		const standard = await repo.findStandard(tx, id);
		if (!standard) throw notFound();
		const clauses = await repo.listClauses(tx, id);
		return {
			...standard,
			clauses: clauses.map((clause) => ({ ...clause, depth: clauseDepth(clause.number) })),
			gradeScale: standard.grade_scale_id
				? await gradeScaleWithLevels(tx, standard.grade_scale_id)
				: null,
			schemeRules: await schemeRulesOf(tx, id)
		};
	});
}

export type StandardDetails = Awaited<ReturnType<typeof getStandard>>;

/** What happened to a standard, its clause imports and its scheme rules, oldest first. */
export function standardHistory(
	db: AppDatabase,
	actor: Actor,
	id: string
): Promise<TimelineEntry[]> {
	authorize(actor, 'catalogue.read');
	return db.inTenant(scopeOf(actor), async (tx) => {
		if (!(await repo.findStandard(tx, id))) throw notFound();
		const entries = [
			...(await timelineOf(tx, 'standard', id)),
			...(await timelineOf(tx, 'scheme_rules', id))
		];
		return entries.sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
	});
}

const duplicateCode = (code: string) => () =>
	new Refusal('CONFLICT', 'catalogue_error_code_taken', { code }, 'code');

const standardSnapshot = (row: {
	code: string;
	title_zh: string;
	title_en: string;
	category: string;
	category_en: string;
	grade_scale_id: string | null;
}) => ({
	code: row.code,
	titleZh: row.title_zh,
	titleEn: row.title_en,
	category: row.category,
	categoryEn: row.category_en,
	gradeScaleId: row.grade_scale_id
});

async function requireGradeScale(tx: Tx, id: string | null) {
	if (id !== null && !(await repo.findGradeScale(tx, id)))
		throw badInput('gradeScaleId', 'catalogue_error_grade_scale_unknown');
}

/** `now`: when it happens (the demo loads its past); unset, the database's clock. */
export function createStandard(db: AppDatabase, actor: Actor, input: StandardInput, now?: Date) {
	authorize(actor, 'catalogue.manage');
	const fields = checked(createStandardInput, input);
	return db
		.inTenant(scopeOf(actor), async (tx) => {
			if (await repo.findStandardByCode(tx, fields.code)) throw duplicateCode(fields.code)();
			await requireGradeScale(tx, fields.gradeScaleId);
			const standard = await repo.insertStandard(tx, actor.tenantId, fields, now);
			await auditAs(tx, actor, 'standard.create', 'standard', standard.id, {
				after: standardSnapshot(standard),
				at: now
			});
			return standard;
		})
		.catch(refuseUniqueViolations({ standards_tenant_id_code_key: duplicateCode(fields.code) }));
}

export function updateStandard(
	db: AppDatabase,
	actor: Actor,
	id: string,
	version: number,
	input: StandardInput
) {
	authorize(actor, 'catalogue.manage');
	const fields = checked(createStandardInput, input);
	requireVersion(version);
	return db
		.inTenant(scopeOf(actor), async (tx) => {
			const before = await repo.findStandard(tx, id);
			if (!before) throw notFound();
			const clash = await repo.findStandardByCode(tx, fields.code);
			if (clash && clash.id !== id) throw duplicateCode(fields.code)();
			await requireGradeScale(tx, fields.gradeScaleId);
			// A graded certificate's grade belongs to the scale it was given under.
			if (
				fields.gradeScaleId !== before.grade_scale_id &&
				(await repo.standardHasGradedCertificates(tx, id))
			)
				throw badInput('gradeScaleId', 'catalogue_error_scale_in_use');
			const after = await repo.updateStandard(tx, id, version, fields);
			if (!after) throw staleVersion();
			await auditAs(tx, actor, 'standard.update', 'standard', id, {
				before: standardSnapshot(before),
				after: standardSnapshot(after)
			});
			return after;
		})
		.catch(refuseUniqueViolations({ standards_tenant_id_code_key: duplicateCode(fields.code) }));
}
