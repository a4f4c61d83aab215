import { sql } from 'kysely';
import type { Tx } from '../db/tenant-scope';
import { updateAtVersion } from './versioned';
import type { SchemeRules } from '../domain/scheme-rules';
import { tenantJoin, tenantCountOf } from './tenant-join';
import { findRowById, hasRow } from './query';
import type { Database } from '../../../../db/schema';

/* The catalogue's rows: standards, their clause trees, grade scales and scheme rules. */

export interface StandardFields {
	code: string;
	titleZh: string;
	titleEn: string;
	category: string;
	categoryEn: string;
	gradeScaleId: string | null;
}

export function listStandards(tx: Tx) {
	return tx
		.selectFrom('standards')
		.leftJoin('grade_scales', tenantJoin('grade_scales', 'standards.grade_scale_id'))
		.select((eb) => [
			'standards.id',
			'standards.code',
			'standards.title_zh',
			'standards.title_en',
			'standards.category',
			'standards.category_en',
			'standards.grade_scale_id',
			'standards.version',
			'grade_scales.name_zh as grade_scale_name_zh',
			'grade_scales.name_en as grade_scale_name_en',
			tenantCountOf(eb, 'clauses', 'clauses.standard_id', 'standards.id').as('clause_count')
		])
		.orderBy('standards.code')
		.execute();
}

/** The standard row; `forUpdate` locks it, which also serialises changes to its clause tree. */
export function findStandard(tx: Tx, id: string, options: { forUpdate?: boolean } = {}) {
	return findRowById(tx, 'standards', id, options);
}

export function findStandardByCode(tx: Tx, code: string) {
	return tx.selectFrom('standards').selectAll().where('code', '=', code).executeTakeFirst();
}

const standardColumns = (fields: StandardFields) => ({
	code: fields.code,
	title_zh: fields.titleZh,
	title_en: fields.titleEn,
	category: fields.category,
	category_en: fields.categoryEn,
	grade_scale_id: fields.gradeScaleId
});

export function insertStandard(tx: Tx, tenantId: string, fields: StandardFields, createdAt?: Date) {
	return tx
		.insertInto('standards')
		.values({ tenant_id: tenantId, created_at: createdAt, ...standardColumns(fields) })
		.returningAll()
		.executeTakeFirstOrThrow();
}

/** Optimistic update: nothing changes (undefined returned) unless `version` is still current. */
export function updateStandard(tx: Tx, id: string, version: number, fields: StandardFields) {
	return updateAtVersion(tx, 'standards', id, version, standardColumns(fields));
}

/** Whether a certificate of the standard carries a grade (of the standard's current scale). */
export function standardHasGradedCertificates(tx: Tx, standardId: string) {
	return hasRow(
		tx
			.selectFrom('certificates')
			.select('id')
			.where('standard_id', '=', standardId)
			.where('grade_level_id', 'is not', null)
	);
}

/** Standards to choose from (certificates, evaluations, finding filters), with their grade scale. */
export function listStandardChoices(tx: Tx) {
	return tx
		.selectFrom('standards')
		.select(['id', 'code', 'title_zh', 'title_en', 'grade_scale_id'])
		.orderBy('code')
		.execute();
}

/** A standard's clauses in reading order. */
export function listClauses(tx: Tx, standardId: string) {
	return tx
		.selectFrom('clauses')
		.select(['id', 'standard_id', 'parent_id', 'number', 'title_zh', 'title_en', 'sort_key'])
		.where('standard_id', '=', standardId)
		.orderBy('sort_key')
		.execute();
}

export function findClause(tx: Tx, id: string) {
	return findRowById(tx, 'clauses', id);
}

export function findClauseByNumber(tx: Tx, standardId: string, number: string) {
	return tx
		.selectFrom('clauses')
		.selectAll()
		.where('standard_id', '=', standardId)
		.where('number', '=', number)
		.executeTakeFirst();
}

export interface NewClause {
	tenantId: string;
	standardId: string;
	parentId: string | null;
	number: string;
	titleZh: string;
	titleEn: string;
	sortKey: string;
}

export function insertClauses(tx: Tx, clauses: NewClause[]) {
	if (clauses.length === 0) return Promise.resolve([]);
	return tx
		.insertInto('clauses')
		.values(
			clauses.map((clause) => ({
				tenant_id: clause.tenantId,
				standard_id: clause.standardId,
				parent_id: clause.parentId,
				number: clause.number,
				title_zh: clause.titleZh,
				title_en: clause.titleEn,
				sort_key: clause.sortKey
			}))
		)
		.returning(['id', 'number'])
		.execute();
}

/** A clause's title in both languages (the only thing an edit or an import changes). */
export interface ClauseTitles {
	titleZh: string;
	titleEn: string;
}

export function updateClauseTitles(tx: Tx, id: string, titles: ClauseTitles) {
	return tx
		.updateTable('clauses')
		.set({ title_zh: titles.titleZh, title_en: titles.titleEn })
		.where('id', '=', id)
		.returningAll()
		.executeTakeFirstOrThrow();
}

/** Many clauses' titles in one statement (an import may change thousands). */
export async function updateClausesTitles(tx: Tx, changes: (ClauseTitles & { id: string })[]) {
	for (let start = 0; start < changes.length; start += 1000) {
		const values = sql.join(
			changes
				.slice(start, start + 1000)
				.map(
					(change) => sql`(${change.id}::uuid, ${change.titleZh}::text, ${change.titleEn}::text)`
				)
		);
		await sql`update clauses set title_zh = v.title_zh, title_en = v.title_en
			from (values ${values}) as v(id, title_zh, title_en)
			where clauses.id = v.id`.execute(tx);
	}
}

/** A grade scale's own columns: its names (its levels are read apart). */
function gradeScales(tx: Tx) {
	return tx.selectFrom('grade_scales').select(['id', 'name_zh', 'name_en']);
}

export function listGradeScales(tx: Tx) {
	return gradeScales(tx).orderBy('name_zh').orderBy('id').execute();
}

export function findGradeScale(tx: Tx, id: string) {
	return gradeScales(tx).where('id', '=', id).executeTakeFirst();
}

export interface GradeLevelRow {
	id: string;
	grade_scale_id: string;
	rank: number;
	code: string;
	label_zh: string;
	label_en: string;
	min_score: number | null;
}

/** Levels by rank (1 is the highest); scores as numbers, not numeric strings. */
export async function listGradeLevels(tx: Tx, scaleIds: string[]): Promise<GradeLevelRow[]> {
	if (scaleIds.length === 0) return [];
	const rows = await tx
		.selectFrom('grade_levels')
		.select(['id', 'grade_scale_id', 'rank', 'code', 'label_zh', 'label_en', 'min_score'])
		.where('grade_scale_id', 'in', scaleIds)
		.orderBy('grade_scale_id')
		.orderBy('rank')
		.execute();
	return rows.map((row) => ({
		...row,
		min_score: row.min_score === null ? null : Number(row.min_score)
	}));
}

export interface GradeScaleNames {
	nameZh: string;
	nameEn: string;
}

export function insertGradeScale(tx: Tx, tenantId: string, names: GradeScaleNames) {
	return tx
		.insertInto('grade_scales')
		.values({ tenant_id: tenantId, name_zh: names.nameZh, name_en: names.nameEn })
		.returning(['id', 'name_zh', 'name_en'])
		.executeTakeFirstOrThrow();
}

export function updateGradeScale(tx: Tx, id: string, names: GradeScaleNames) {
	return tx
		.updateTable('grade_scales')
		.set({ name_zh: names.nameZh, name_en: names.nameEn })
		.where('id', '=', id)
		.executeTakeFirstOrThrow();
}

export interface GradeLevelFields {
	rank: number;
	code: string;
	labelZh: string;
	labelEn: string;
	minScore: number | null;
}

const levelColumns = (level: GradeLevelFields) => ({
	rank: level.rank,
	code: level.code,
	label_zh: level.labelZh,
	label_en: level.labelEn,
	min_score: level.minScore === null ? null : String(level.minScore)
});

export async function insertGradeLevels(
	tx: Tx,
	tenantId: string,
	scaleId: string,
	levels: GradeLevelFields[]
) {
	if (levels.length === 0) return;
	await tx
		.insertInto('grade_levels')
		.values(
			levels.map((level) => ({
				tenant_id: tenantId,
				grade_scale_id: scaleId,
				...levelColumns(level)
			}))
		)
		.execute();
}

/**
 * Moves levels out of the way of the unique (scale, rank) and (scale, code) constraints before
 * they are reordered or renamed: rank beyond any real one, the level's own id as its code.
 */
export async function parkGradeLevels(tx: Tx, ids: string[]) {
	if (ids.length === 0) return;
	await tx
		.updateTable('grade_levels')
		.set({ rank: sql`rank + 100000`, code: sql`id::text` })
		.where('id', 'in', ids)
		.execute();
}

export async function updateGradeLevel(tx: Tx, id: string, level: GradeLevelFields) {
	await tx.updateTable('grade_levels').set(levelColumns(level)).where('id', '=', id).execute();
}

export async function deleteGradeLevels(tx: Tx, ids: string[]) {
	if (ids.length === 0) return;
	await tx.deleteFrom('grade_levels').where('id', 'in', ids).execute();
}

/** The levels among `ids` that a certificate, its history or a decision refers to. */
export async function gradeLevelsInUse(tx: Tx, ids: string[]): Promise<Set<string>> {
	if (ids.length === 0) return new Set();
	const list = sql`any(${ids}::uuid[])`;
	// One statement over every column that refers to a level (null never equals an id).
	const { rows } = await sql<{ id: string }>`${sql.join(
		GRADE_LEVEL_REFERENCES.map(
			([table, column]) =>
				sql`select ${sql.ref(column)} as id from ${sql.table(table)} where ${sql.ref(column)} = ${list}`
		),
		sql` union `
	)}`.execute(tx);
	return new Set(rows.map((row) => row.id));
}

/** Where a grade level is referred to: a certificate, either side of its history, a decision. */
const GRADE_LEVEL_REFERENCES = [
	['certificates', 'grade_level_id'],
	['certificate_history', 'from_grade_level_id'],
	['certificate_history', 'to_grade_level_id'],
	['decisions', 'new_grade_level_id']
] as const satisfies readonly {
	[T in keyof Database]: readonly [T, keyof Database[T]];
}[keyof Database][];

export async function findSchemeRulesRow(tx: Tx, standardId: string) {
	return tx
		.selectFrom('scheme_rules')
		.selectAll()
		.where('standard_id', '=', standardId)
		.executeTakeFirst();
}

const ruleColumns = (rules: SchemeRules) => ({
	certificate_validity_months: rules.certificateValidityMonths,
	first_surveillance_months: rules.firstSurveillanceMonths,
	first_surveillance_from: rules.firstSurveillanceFrom,
	max_surveillance_gap_months: rules.maxSurveillanceGapMonths,
	major_due_days: rules.majorDueDays,
	minor_due_days: rules.minorDueDays,
	overdue_minor_becomes_major: rules.overdueMinorBecomesMajor,
	max_suspension_months: rules.maxSuspensionMonths,
	suspend_within_days: rules.suspendWithinDays
});

/** The first save of a standard's rules; undefined when someone saved them meanwhile. */
export function insertSchemeRules(
	tx: Tx,
	tenantId: string,
	standardId: string,
	rules: SchemeRules
) {
	return tx
		.insertInto('scheme_rules')
		.values({ tenant_id: tenantId, standard_id: standardId, ...ruleColumns(rules) })
		.onConflict((conflict) => conflict.columns(['tenant_id', 'standard_id']).doNothing())
		.returningAll()
		.executeTakeFirst();
}

/** Optimistic update: undefined unless `version` is still current. */
export function updateSchemeRules(tx: Tx, standardId: string, version: number, rules: SchemeRules) {
	return updateAtVersion(
		tx,
		'scheme_rules',
		standardId,
		version,
		ruleColumns(rules),
		'standard_id'
	);
}
