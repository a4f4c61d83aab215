import { z } from 'zod';
import { blankAsNull, id, idWith, version } from './common.schema';

/*
 * The inputs of scoring (issue 12 item 2). The tRPC procedures take lists of objects; the forms
 * post parallel columns (`clauseId`, `score`, `previous` / `points`, one value per clause, in
 * the order shown), which the same schemas read into those lists.
 */

export const MAX_SHEET_CLAUSES = 500;
export const MAX_POINTS = 1000;

/** A score or points as typed: a number, or a form's digits with two decimals at most; '' none. */
const decimal = (messageKey: string, max: number) =>
	z.preprocess(
		(value) => {
			if (value === undefined || value === null) return null;
			if (typeof value !== 'string') return value;
			const trimmed = value.trim().replace(',', '.');
			if (trimmed === '') return null;
			return /^\d{1,4}(?:\.\d{1,2})?$/.test(trimmed) ? Number(trimmed) : value;
		},
		z
			.number({ error: messageKey })
			.min(0, { error: messageKey })
			.max(max, { error: messageKey })
			.refine((n) => Math.abs(Math.round(n * 100) - n * 100) < 1e-6, { error: messageKey })
			.nullable()
	);

const score = decimal('scoring_error_score_invalid', MAX_POINTS);

/** A posted form: each field's value, a list where the name repeats. */
type PostedForm = Record<string, string | string[]>;

/** A form's parallel columns as a list of rows under `into`; anything else passes unchanged. */
function rowsFromColumns(into: string, columns: Record<string, string>, key: string) {
	return (value: unknown): unknown => {
		if (typeof value !== 'object' || value === null || into in value) return value;
		const form = value as Record<string, unknown>;
		const column = (name: string): unknown[] => {
			const values = form[name];
			return values === undefined ? [] : Array.isArray(values) ? values : [values];
		};
		const rows = column(columns[key]!).map((_, index) =>
			Object.fromEntries(
				Object.entries(columns).map(([field, name]) => [field, column(name)[index] ?? ''])
			)
		);
		const rest = Object.fromEntries(
			Object.entries(form).filter(([name]) => !Object.values(columns).includes(name))
		);
		return { ...rest, [into]: rows };
	};
}

const scoreEntry = z.object({
	clauseId: idWith('scoring_error_clause_unknown'),
	/** null: the clause's score is cleared (or left unscored). */
	score: score.default(null),
	/** The score the form was filled from (null: none); a different stored one is a stale form. */
	previous: score.default(null)
});

const recordObject = z.object({
	evaluationId: id,
	scores: z
		.array(scoreEntry, { error: 'scoring_error_scores_required' })
		.max(MAX_SHEET_CLAUSES, { error: 'error_too_many' })
});
export type RecordScoresInput = z.input<typeof recordObject>;

/** Scores given (or cleared) on an evaluation, each against the score the form showed. */
export const recordScoresSchema = z.preprocess<
	unknown,
	typeof recordObject,
	RecordScoresInput | PostedForm
>(
	rowsFromColumns(
		'scores',
		{ clauseId: 'clauseId', score: 'score', previous: 'previous' },
		'clauseId'
	),
	recordObject
);

/** The total and grade that scores would give, unsaved (the live figure of the scoring form). */
export const previewScoresSchema = z.object({
	evaluationId: id,
	scores: z
		.array(z.object({ clauseId: idWith('scoring_error_clause_unknown'), score }))
		.max(MAX_SHEET_CLAUSES, { error: 'error_too_many' })
});

/** The grade an evaluation's scores propose for the certificate. */
export const gradeProposalSchema = z.object({ evaluationId: id });

export const MAJOR_CAP_COUNTS = ['any', 'open'] as const;

const sheetObject = z.object({
	standardId: id,
	/** The standard's version the form was filled from. */
	version,
	points: z
		.array(
			z.object({
				clauseId: idWith('scoring_error_clause_unknown'),
				/** null: not on the sheet. */
				points: z.preprocess(
					(value) =>
						typeof value === 'string' && /^\s*\d{1,4}\s*$/.test(value) ? Number(value) : value,
					blankAsNull(
						z
							.int({ error: 'scoring_error_points_invalid' })
							.min(1, { error: 'scoring_error_points_invalid' })
							.max(MAX_POINTS, { error: 'scoring_error_points_invalid' })
					)
				)
			})
		)
		.max(MAX_SHEET_CLAUSES, { error: 'error_too_many' }),
	capLevelId: blankAsNull(idWith('scoring_error_cap_level_invalid')).default(null),
	capCounts: z.enum(MAJOR_CAP_COUNTS, { error: 'scoring_error_cap_counts_invalid' }).default('any')
});
export type UpdateScoringSheetInput = z.input<typeof sheetObject>;

/** A standard's scoring sheet (each clause's points) and its major-nonconformity cap. */
export const updateScoringSheetSchema = z.preprocess<
	unknown,
	typeof sheetObject,
	UpdateScoringSheetInput | PostedForm
>(rowsFromColumns('points', { clauseId: 'clauseId', points: 'points' }, 'clauseId'), sheetObject);
