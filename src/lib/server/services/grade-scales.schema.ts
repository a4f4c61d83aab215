import { z } from 'zod';
import { blankAsNull, id, idWith, refuseAt, requiredText, text } from './common.schema';

/*
 * The inputs of the grade scales' use cases. The tRPC procedures take the levels as a list of
 * objects; the form posts them as parallel columns (`levelCode`, `levelLabelZh`, … one value per
 * row, highest grade first), which the same schema reads into that list.
 */

export const MAX_GRADE_LEVELS = 20;

/** numeric(5, 2): a score keeps two decimals at most. */
function isTwoDecimals(score: number): boolean {
	return Math.abs(Math.round(score * 100) - score * 100) < 1e-9;
}

/** A minimum score: a number, or a form's digits ('' is none). */
const minScore = z.preprocess(
	(value) => {
		if (value === undefined || value === null) return null;
		if (typeof value !== 'string') return value;
		const trimmed = value.trim();
		if (trimmed === '') return null;
		return /^\d{1,3}(?:\.\d{1,2})?$/.test(trimmed) ? Number(trimmed) : value;
	},
	z
		.number({ error: 'catalogue_error_min_score' })
		.min(0, { error: 'catalogue_error_min_score' })
		.max(100, { error: 'catalogue_error_min_score' })
		.refine(isTwoDecimals, { error: 'catalogue_error_min_score' })
		.nullable()
);

const gradeLevelInput = z.object({
	/** An existing level of the scale being edited; null for a new one. */
	id: blankAsNull(idWith('catalogue_error_level_unknown')).default(null),
	code: requiredText(20).pipe(
		z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, {
			error: 'catalogue_error_level_code_invalid'
		})
	),
	labelZh: requiredText(40),
	labelEn: text(40).default(''),
	minScore: minScore.default(null)
});

const scaleShape = {
	nameZh: requiredText(60),
	nameEn: text(60).default(''),
	levels: z
		.array(gradeLevelInput, { error: 'catalogue_error_levels_required' })
		.min(1, { error: 'catalogue_error_levels_required' })
		.max(MAX_GRADE_LEVELS, { error: 'catalogue_error_levels_too_many' })
};

/** Codes unique within the scale (any case); scores falling with the rank (1 is the highest). */
function levelsInOrder(
	scale: { levels: { code: string; minScore: number | null }[] },
	ctx: z.RefinementCtx
) {
	const seen = new Set<string>();
	let lowestSoFar = Infinity;
	for (const [index, level] of scale.levels.entries()) {
		const code = level.code.toLowerCase();
		if (seen.has(code))
			refuseAt(ctx, ['levels', index, 'code'], 'catalogue_error_level_code_duplicate');
		seen.add(code);
		if (level.minScore !== null) {
			if (level.minScore >= lowestSoFar)
				refuseAt(ctx, ['levels', index, 'minScore'], 'catalogue_error_scores_order');
			lowestSoFar = Math.min(lowestSoFar, level.minScore);
		}
	}
}

const COLUMNS = {
	id: 'levelId',
	code: 'levelCode',
	labelZh: 'levelLabelZh',
	labelEn: 'levelLabelEn',
	minScore: 'levelMinScore'
} as const;

/** A posted form: each field's value, a list where the name repeats. */
type PostedForm = Record<string, string | string[]>;

/** A posted form's level columns as the list of levels; anything else passes unchanged. */
function levelsFromColumns(value: unknown): unknown {
	if (typeof value !== 'object' || value === null || 'levels' in value) return value;
	const form = value as Record<string, unknown>;
	const column = (name: string): unknown[] => {
		const values = form[name];
		return values === undefined ? [] : Array.isArray(values) ? values : [values];
	};
	const codes = column(COLUMNS.code);
	const levels = codes.map((code, index) => ({
		id: column(COLUMNS.id)[index] ?? '',
		code,
		labelZh: column(COLUMNS.labelZh)[index] ?? '',
		labelEn: column(COLUMNS.labelEn)[index] ?? '',
		minScore: column(COLUMNS.minScore)[index] ?? ''
	}));
	const rest = Object.fromEntries(
		Object.entries(form).filter(([key]) => !Object.values<string>(COLUMNS).includes(key))
	);
	return { ...rest, levels };
}

const scaleObject = z.object(scaleShape).superRefine(levelsInOrder);
const updateObject = z.object({ id, ...scaleShape }).superRefine(levelsInOrder);

/** A new grade scale with its levels, highest first. */
export const gradeScaleInput = z.preprocess<
	unknown,
	typeof scaleObject,
	GradeScaleInput | PostedForm
>(levelsFromColumns, scaleObject);
export type GradeScaleInput = z.input<typeof scaleObject>;

/** A grade scale renamed, its levels set in the order given. */
export const updateGradeScaleInput = z.preprocess<
	unknown,
	typeof updateObject,
	z.input<typeof updateObject> | PostedForm
>(levelsFromColumns, updateObject);

/** One grade scale to read. */
export const gradeScaleIdInput = z.object({ id });
