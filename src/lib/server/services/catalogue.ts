import { z } from 'zod';
import type { AppDatabase, Tx } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import { isCbStaff } from '../domain/roles';
import {
	CLAUSE_TITLE_MAX_LENGTH,
	clauseCsvIsClean,
	clauseDepth,
	clauseNumberProblem,
	clauseSortKey,
	normaliseClauseNumber,
	parentClauseNumber,
	parseClauseCsv,
	type ClauseCsv,
	type ClauseCsvRow
} from '../domain/clause-csv';
import { DEFAULT_SCHEME_RULES, schemeRulesFromRow, type SchemeRules } from '../domain/scheme-rules';
import { badInput, forbidden, notFound, Refusal, staleVersion } from '../errors';
import { hasMessage } from '../i18n/translate';
import { refuseUniqueViolations } from '../db/errors';
import { recordAudit } from '../repositories/audit';
import type { AUDIT_ENTITY_TYPES, AuditAction } from '../audit-actions';
import { timelineOf, type TimelineEntry } from './timeline';
import * as repo from '../repositories/catalogue';

/*
 * The catalogue (SPEC §3): standards with their clause trees, grade scales and scheme rules.
 * Every member of the body's staff reads it (evaluators record findings against its clauses);
 * only an admin changes it.
 */

// ── Inputs: one schema each, used by the tRPC router, the pages and (again) by the services ──

const text = (max: number) => z.string().trim().max(max, { error: 'error_too_long' });
const required = (max: number) => text(max).min(1, { error: 'error_required' });

export const standardInput = z.object({
	code: required(60).transform((code) => code.replace(/\s+/g, ' ')),
	titleZh: required(200),
	titleEn: text(200).default(''),
	category: text(60).default(''),
	gradeScaleId: z.uuid({ error: 'catalogue_error_grade_scale_unknown' }).nullable().default(null)
});
export type StandardInput = z.input<typeof standardInput>;

export const clauseTitlesInput = z.object({
	titleZh: required(CLAUSE_TITLE_MAX_LENGTH),
	titleEn: text(CLAUSE_TITLE_MAX_LENGTH).default('')
});
export type ClauseTitlesInput = z.input<typeof clauseTitlesInput>;

export const clauseInput = clauseTitlesInput.extend({
	number: z
		.string()
		.transform(normaliseClauseNumber)
		.superRefine((number, ctx) => {
			const problem = clauseNumberProblem(number);
			if (problem) ctx.addIssue({ code: 'custom', message: problem });
		})
});
export type ClauseInput = z.input<typeof clauseInput>;

export const MAX_GRADE_LEVELS = 20;

/** numeric(5, 2): a score keeps two decimals at most. */
function isTwoDecimals(score: number): boolean {
	return Math.abs(Math.round(score * 100) - score * 100) < 1e-9;
}

const gradeLevelInput = z.object({
	/** An existing level of the scale being edited; null for a new one. */
	id: z.uuid({ error: 'catalogue_error_level_unknown' }).nullable().default(null),
	code: required(20).regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, {
		error: 'catalogue_error_level_code_invalid'
	}),
	labelZh: required(40),
	labelEn: text(40).default(''),
	minScore: z
		.number({ error: 'catalogue_error_min_score' })
		.min(0, { error: 'catalogue_error_min_score' })
		.max(100, { error: 'catalogue_error_min_score' })
		.refine(isTwoDecimals, { error: 'catalogue_error_min_score' })
		.nullable()
		.default(null)
});

export const gradeScaleInput = z
	.object({
		nameZh: required(60),
		nameEn: text(60).default(''),
		levels: z
			.array(gradeLevelInput)
			.min(1, { error: 'catalogue_error_levels_required' })
			.max(MAX_GRADE_LEVELS, { error: 'catalogue_error_levels_too_many' })
	})
	.superRefine((scale, ctx) => {
		const seen = new Set<string>();
		let lowestSoFar = Infinity;
		for (const [index, level] of scale.levels.entries()) {
			const code = level.code.toLowerCase();
			if (seen.has(code))
				ctx.addIssue({
					code: 'custom',
					path: ['levels', index, 'code'],
					message: 'catalogue_error_level_code_duplicate'
				});
			seen.add(code);
			// Rank 1 is the highest grade, so its minimum score must be the highest too.
			if (level.minScore !== null) {
				if (level.minScore >= lowestSoFar)
					ctx.addIssue({
						code: 'custom',
						path: ['levels', index, 'minScore'],
						message: 'catalogue_error_scores_order'
					});
				lowestSoFar = Math.min(lowestSoFar, level.minScore);
			}
		}
	});
export type GradeScaleInput = z.input<typeof gradeScaleInput>;

/** The sane range of each scheme clock, shown beside its field; the messages name the same. */
export const SCHEME_RULE_BOUNDS = {
	certificateValidityMonths: { min: 1, max: 120 },
	firstSurveillanceMonths: { min: 1, max: 36 },
	maxSurveillanceGapMonths: { min: 1, max: 36 },
	majorDueDays: { min: 1, max: 365 },
	minorDueDays: { min: 1, max: 730 },
	maxSuspensionMonths: { min: 1, max: 24 },
	suspendWithinDays: { min: 1, max: 90 }
} as const;

const whole = (field: keyof typeof SCHEME_RULE_BOUNDS, message: string) =>
	z
		.number({ error: message })
		.int({ error: message })
		.min(SCHEME_RULE_BOUNDS[field].min, { error: message })
		.max(SCHEME_RULE_BOUNDS[field].max, { error: message });

export const schemeRulesInput = z
	.object({
		certificateValidityMonths: whole('certificateValidityMonths', 'catalogue_rules_error_validity'),
		firstSurveillanceMonths: whole('firstSurveillanceMonths', 'catalogue_rules_error_first'),
		firstSurveillanceFrom: z.enum(['decision', 'issue'], { error: 'catalogue_rules_error_from' }),
		maxSurveillanceGapMonths: whole('maxSurveillanceGapMonths', 'catalogue_rules_error_gap'),
		majorDueDays: whole('majorDueDays', 'catalogue_rules_error_major'),
		minorDueDays: whole('minorDueDays', 'catalogue_rules_error_minor'),
		overdueMinorBecomesMajor: z.boolean({ error: 'error_invalid_input' }),
		maxSuspensionMonths: whole('maxSuspensionMonths', 'catalogue_rules_error_suspension'),
		suspendWithinDays: whole('suspendWithinDays', 'catalogue_rules_error_suspend_within')
	})
	.superRefine((rules, ctx) => {
		if (rules.firstSurveillanceMonths >= rules.certificateValidityMonths)
			ctx.addIssue({
				code: 'custom',
				path: ['firstSurveillanceMonths'],
				message: 'catalogue_rules_error_first_after_expiry'
			});
		// A major nonconformity is the more urgent one.
		if (rules.majorDueDays > rules.minorDueDays)
			ctx.addIssue({
				code: 'custom',
				path: ['majorDueDays'],
				message: 'catalogue_rules_error_major_after_minor'
			});
	});

/** The input a service was given, checked again (pages and jobs call services directly). */
function checked<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
	const result = schema.safeParse(input);
	if (result.success) return result.data;
	const [field, key] = Object.entries(fieldProblems(result.error))[0] ?? [
		'_',
		'error_invalid_input'
	];
	throw badInput(field, key);
}

/** Every field problem of a form at once, as message keys by field ('levels.2.code'). */
export function fieldProblems(error: z.ZodError): Record<string, string> {
	const fields: Record<string, string> = {};
	for (const issue of error.issues) {
		const field = issue.path.join('.') || '_';
		fields[field] ??= hasMessage(issue.message) ? issue.message : 'error_invalid_input';
	}
	return fields;
}

// ── Who may ──

function mayRead(actor: Actor) {
	if (!isCbStaff(actor.role)) throw forbidden();
}

function mayChange(actor: Actor) {
	if (actor.role !== 'admin') throw forbidden();
}

/** The version a form was filled from; anything else cannot be current. */
function requireVersion(version: number, { orUnsaved = false } = {}) {
	if (!Number.isInteger(version) || version < (orUnsaved ? 0 : 1)) throw staleVersion();
}

function audit(
	tx: Tx,
	actor: Actor,
	entry: {
		action: AuditAction;
		entityType: (typeof AUDIT_ENTITY_TYPES)[number];
		entityId: string;
		before?: unknown;
		after?: unknown;
	}
) {
	return recordAudit(tx, { tenantId: actor.tenantId, actorUserId: actor.userId, ...entry });
}

// ── Standards ──

export function listStandards(db: AppDatabase, actor: Actor) {
	mayRead(actor);
	return db.inTenant(scopeOf(actor), async (tx) => {
		const rows = await repo.listStandards(tx);
		return rows.map((row) => ({ ...row, clause_count: Number(row.clause_count ?? 0) }));
	});
}

export interface SavedSchemeRules extends SchemeRules {
	/** 0 while the standard runs on the defaults (nothing saved yet). */
	version: number;
	saved: boolean;
}

async function schemeRulesOf(tx: Tx, standardId: string): Promise<SavedSchemeRules> {
	const row = await repo.findSchemeRulesRow(tx, standardId);
	return row
		? { ...schemeRulesFromRow(row), version: row.version, saved: true }
		: { ...DEFAULT_SCHEME_RULES, version: 0, saved: false };
}

async function gradeScaleWithLevels(tx: Tx, id: string) {
	const scale = await repo.findGradeScale(tx, id);
	if (!scale) return null;
	return { ...scale, levels: await repo.listGradeLevels(tx, [id]) };
}

/**
 * A standard with what working on it needs: its clauses in tree order (each with its depth),
 * its grade scale and levels (rank 1 highest), and its scheme rules (the defaults if unsaved).
 */
export function getStandard(db: AppDatabase, actor: Actor, id: string) {
	mayRead(actor);
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
	mayRead(actor);
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
	grade_scale_id: string | null;
}) => ({
	code: row.code,
	titleZh: row.title_zh,
	titleEn: row.title_en,
	category: row.category,
	gradeScaleId: row.grade_scale_id
});

async function requireGradeScale(tx: Tx, id: string | null) {
	if (id !== null && !(await repo.findGradeScale(tx, id)))
		throw badInput('gradeScaleId', 'catalogue_error_grade_scale_unknown');
}

export function createStandard(db: AppDatabase, actor: Actor, input: StandardInput) {
	mayChange(actor);
	const fields = checked(standardInput, input);
	return db
		.inTenant(scopeOf(actor), async (tx) => {
			if (await repo.findStandardByCode(tx, fields.code)) throw duplicateCode(fields.code)();
			await requireGradeScale(tx, fields.gradeScaleId);
			const standard = await repo.insertStandard(tx, actor.tenantId, fields);
			await audit(tx, actor, {
				action: 'standard.create',
				entityType: 'standard',
				entityId: standard.id,
				after: standardSnapshot(standard)
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
	mayChange(actor);
	const fields = checked(standardInput, input);
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
			await audit(tx, actor, {
				action: 'standard.update',
				entityType: 'standard',
				entityId: id,
				before: standardSnapshot(before),
				after: standardSnapshot(after)
			});
			return after;
		})
		.catch(refuseUniqueViolations({ standards_tenant_id_code_key: duplicateCode(fields.code) }));
}

// ── Clauses ──

const duplicateClause = (number: string) => () =>
	new Refusal('CONFLICT', 'catalogue_error_clause_taken', { number }, 'number');

export function addClause(db: AppDatabase, actor: Actor, standardId: string, input: ClauseInput) {
	mayChange(actor);
	const clause = checked(clauseInput, input);
	return db
		.inTenant(scopeOf(actor), async (tx) => {
			if (!(await repo.findStandard(tx, standardId, { forUpdate: true }))) throw notFound();
			if (await repo.findClauseByNumber(tx, standardId, clause.number))
				throw duplicateClause(clause.number)();
			const parentNumber = parentClauseNumber(clause.number);
			const parent = parentNumber
				? await repo.findClauseByNumber(tx, standardId, parentNumber)
				: undefined;
			if (parentNumber && !parent)
				throw badInput('number', 'catalogue_error_clause_parent_missing', {
					number: clause.number,
					parent: parentNumber
				});
			const [row] = await repo.insertClauses(tx, [
				{
					tenantId: actor.tenantId,
					standardId,
					parentId: parent?.id ?? null,
					number: clause.number,
					titleZh: clause.titleZh,
					titleEn: clause.titleEn,
					sortKey: clauseSortKey(clause.number)
				}
			]);
			if (!row) throw new Error('the clause insert returned no row');
			await audit(tx, actor, {
				action: 'clause.create',
				entityType: 'clause',
				entityId: row.id,
				after: {
					standardId,
					number: clause.number,
					titleZh: clause.titleZh,
					titleEn: clause.titleEn
				}
			});
			return row;
		})
		.catch(
			refuseUniqueViolations({
				clauses_tenant_id_standard_id_number_key: duplicateClause(clause.number)
			})
		);
}

/** A clause's titles; its number is fixed once created (findings cite it). */
export function updateClause(db: AppDatabase, actor: Actor, id: string, input: ClauseTitlesInput) {
	mayChange(actor);
	const titles = checked(clauseTitlesInput, input);
	return db.inTenant(scopeOf(actor), async (tx) => {
		const before = await repo.findClause(tx, id);
		if (!before) throw notFound();
		const after = await repo.updateClauseTitles(tx, id, titles);
		await audit(tx, actor, {
			action: 'clause.update',
			entityType: 'clause',
			entityId: id,
			before: { number: before.number, titleZh: before.title_zh, titleEn: before.title_en },
			after: { number: after.number, titleZh: after.title_zh, titleEn: after.title_en }
		});
		return after;
	});
}

// ── Clause import from CSV ──

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
	mayChange(actor);
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
	mayChange(actor);
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
			await audit(tx, actor, {
				action: 'clause.import',
				entityType: 'standard',
				entityId: standardId,
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

// ── Grade scales ──

export function listGradeScales(db: AppDatabase, actor: Actor) {
	mayRead(actor);
	return db.inTenant(scopeOf(actor), async (tx) => {
		const scales = await repo.listGradeScales(tx);
		const levels = await repo.listGradeLevels(
			tx,
			scales.map((scale) => scale.id)
		);
		return scales.map((scale) => ({
			...scale,
			levels: levels.filter((level) => level.grade_scale_id === scale.id)
		}));
	});
}

export function getGradeScale(db: AppDatabase, actor: Actor, id: string) {
	mayRead(actor);
	return db.inTenant(scopeOf(actor), async (tx) => {
		const scale = await gradeScaleWithLevels(tx, id);
		if (!scale) throw notFound();
		return scale;
	});
}

type CheckedGradeScale = z.output<typeof gradeScaleInput>;

const scaleSnapshot = (scale: {
	name_zh: string;
	name_en: string;
	levels: { code: string; label_zh: string; label_en: string; min_score: number | null }[];
}) => ({
	nameZh: scale.name_zh,
	nameEn: scale.name_en,
	levels: scale.levels.map((level) => ({
		code: level.code,
		labelZh: level.label_zh,
		labelEn: level.label_en,
		minScore: level.min_score
	}))
});

const levelFields = (level: CheckedGradeScale['levels'][number], index: number) => ({
	rank: index + 1,
	code: level.code,
	labelZh: level.labelZh,
	labelEn: level.labelEn,
	minScore: level.minScore
});

export function createGradeScale(db: AppDatabase, actor: Actor, input: GradeScaleInput) {
	mayChange(actor);
	const scale = checked(gradeScaleInput, input);
	return db.inTenant(scopeOf(actor), async (tx) => {
		const row = await repo.insertGradeScale(tx, actor.tenantId, scale);
		await repo.insertGradeLevels(tx, actor.tenantId, row.id, scale.levels.map(levelFields));
		const created = (await gradeScaleWithLevels(tx, row.id))!;
		await audit(tx, actor, {
			action: 'grade_scale.create',
			entityType: 'grade_scale',
			entityId: row.id,
			after: scaleSnapshot(created)
		});
		return created;
	});
}

/**
 * Renames a scale and sets its levels in the order given (first = highest). Levels keep their
 * ids (certificates point at them); one a certificate or decision uses cannot be removed.
 */
export function updateGradeScale(
	db: AppDatabase,
	actor: Actor,
	id: string,
	input: GradeScaleInput
) {
	mayChange(actor);
	const scale = checked(gradeScaleInput, input);
	// Two admins saving the same scale at once: the loser's levels collide with the winner's.
	const concurrentSave = refuseUniqueViolations({
		grade_levels_tenant_id_grade_scale_id_code_key: staleVersion,
		grade_levels_tenant_id_grade_scale_id_rank_key: staleVersion
	});
	return db
		.inTenant(scopeOf(actor), async (tx) => {
			const before = await gradeScaleWithLevels(tx, id);
			if (!before) throw notFound();
			const known = new Set(before.levels.map((level) => level.id));
			for (const [index, level] of scale.levels.entries())
				if (level.id !== null && !known.has(level.id))
					throw badInput(`levels.${index}.id`, 'catalogue_error_level_unknown');
			const kept = new Set(
				scale.levels
					.map((level) => level.id)
					.filter((levelId): levelId is string => levelId !== null)
			);
			const removed = before.levels.filter((level) => !kept.has(level.id));
			const inUse = await repo.gradeLevelsInUse(
				tx,
				removed.map((level) => level.id)
			);
			const blocked = removed.find((level) => inUse.has(level.id));
			if (blocked)
				throw badInput('levels', 'catalogue_error_level_in_use', {
					code: blocked.code,
					labelZh: blocked.label_zh,
					labelEn: blocked.label_en || blocked.code
				});

			await repo.updateGradeScale(tx, id, scale);
			await repo.deleteGradeLevels(
				tx,
				removed.map((level) => level.id)
			);
			await repo.parkGradeLevels(tx, [...kept]);
			const added = [];
			for (const [index, level] of scale.levels.entries()) {
				if (level.id === null) added.push(levelFields(level, index));
				else await repo.updateGradeLevel(tx, level.id, levelFields(level, index));
			}
			await repo.insertGradeLevels(tx, actor.tenantId, id, added);
			const after = (await gradeScaleWithLevels(tx, id))!;
			await audit(tx, actor, {
				action: 'grade_scale.update',
				entityType: 'grade_scale',
				entityId: id,
				before: scaleSnapshot(before),
				after: scaleSnapshot(after)
			});
			return after;
		})
		.catch(concurrentSave);
}

// ── Scheme rules ──

export type SchemeRulesInput = z.input<typeof schemeRulesInput>;

/**
 * Saves a standard's scheme rules. `version` is the one the form was filled from: 0 when the
 * standard still ran on the defaults.
 */
export function updateSchemeRules(
	db: AppDatabase,
	actor: Actor,
	standardId: string,
	version: number,
	input: SchemeRulesInput
) {
	mayChange(actor);
	const rules: SchemeRules = checked(schemeRulesInput, input);
	requireVersion(version, { orUnsaved: true });
	return db.inTenant(scopeOf(actor), async (tx) => {
		if (!(await repo.findStandard(tx, standardId))) throw notFound();
		const before = await schemeRulesOf(tx, standardId);
		const row =
			version === 0
				? await repo.insertSchemeRules(tx, actor.tenantId, standardId, rules)
				: await repo.updateSchemeRules(tx, standardId, version, rules);
		if (!row) throw staleVersion();
		const { version: _before, saved: _saved, ...beforeRules } = before;
		await audit(tx, actor, {
			action: 'scheme_rules.update',
			entityType: 'scheme_rules',
			entityId: standardId,
			before: beforeRules,
			after: schemeRulesFromRow(row)
		});
		return { ...schemeRulesFromRow(row), version: row.version, saved: true };
	});
}
