import type { AppDatabase, Tx } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import type { EvaluationKind } from '../../../../db/schema';
import { can, mayEver } from '../domain/permissions';
import {
	isValidScore,
	proposeGrade,
	scoreEvaluation,
	sheetProblems,
	type ClauseScore,
	type GradeProposalKind,
	type ScoringResult
} from '../domain/scoring';
import { badInput, forbidden, notFound, Refusal, staleVersion } from '../errors';
import { authorize } from './authorize';
import { auditAs } from './audit-entry';
import { checked } from './catalogue-support';
import { findStandard, listGradeLevels, type GradeLevelRow } from '../repositories/catalogue';
import { updateAtVersion } from '../repositories/versioned';
import { isOnTeam } from '../repositories/evaluations';
import * as repo from '../repositories/scoring';
import {
	recordScoresSchema,
	updateScoringSheetSchema,
	type RecordScoresInput,
	type UpdateScoringSheetInput
} from './scoring.schema';

/*
 * Scoring and grades (issue 12 item 2): a standard's scoring sheet (the points of its clauses or
 * clause groups) and its major-nonconformity cap, set by the admin in the catalogue; the scores
 * an evaluation's team gives while the evaluation is in progress; and the grade they propose to
 * the decision maker. The arithmetic is the pure rule of domain/scoring.ts.
 */

export interface GradeLevelChoice {
	id: string;
	rank: number;
	code: string;
	labelZh: string;
	labelEn: string;
	minScore: number | null;
}

const asLevelChoice = (level: GradeLevelRow): GradeLevelChoice => ({
	id: level.id,
	rank: level.rank,
	code: level.code,
	labelZh: level.label_zh,
	labelEn: level.label_en,
	minScore: level.min_score
});

/** The levels of each scale asked for, best first. */
async function levelsOfScales(tx: Tx, gradeScaleIds: readonly string[]) {
	const rows = await listGradeLevels(tx, [...gradeScaleIds]);
	const byScale = groupBy(rows, (level) => level.grade_scale_id);
	return new Map(gradeScaleIds.map((id) => [id, (byScale.get(id) ?? []).map(asLevelChoice)]));
}

async function levelsOfStandard(tx: Tx, gradeScaleId: string | null): Promise<GradeLevelChoice[]> {
	if (!gradeScaleId) return [];
	return (await levelsOfScales(tx, [gradeScaleId])).get(gradeScaleId)!;
}

/** `rows` by `key`, each group in the rows' order. */
function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
	const groups = new Map<string, T[]>();
	for (const row of rows) {
		const group = groups.get(key(row));
		if (group) group.push(row);
		else groups.set(key(row), [row]);
	}
	return groups;
}

const distinct = (values: readonly (string | null)[]) =>
	[...new Set(values)].filter((value): value is string => value !== null);

/* ---- The scoring sheet of a standard (the catalogue). ---- */

/** A standard's clauses with their points, its cap rule and the levels the cap may name. */
export async function getScoringSheet(db: AppDatabase, actor: Actor, standardId: string) {
	authorize(actor, 'catalogue.read');
	return db.inTenant(scopeOf(actor), async (tx) => {
		const standard = await findStandard(tx, standardId);
		if (!standard) throw notFound();
		const [clauses, cap, levels] = await Promise.all([
			repo.listSheetClauses(tx, [standardId]),
			repo.findMajorCap(tx, standardId),
			levelsOfStandard(tx, standard.grade_scale_id)
		]);
		const depthOf = new Map<string, number>();
		for (const clause of clauses)
			depthOf.set(clause.id, clause.parent_id ? (depthOf.get(clause.parent_id) ?? 0) + 1 : 0);
		return {
			standard: {
				id: standard.id,
				code: standard.code,
				titleZh: standard.title_zh,
				titleEn: standard.title_en,
				version: standard.version,
				graded: standard.grade_scale_id !== null
			},
			clauses: clauses.map((clause) => ({
				id: clause.id,
				number: clause.number,
				titleZh: clause.title_zh,
				titleEn: clause.title_en,
				depth: depthOf.get(clause.id) ?? 0,
				points: clause.score_points
			})),
			totalPoints: clauses.reduce((sum, clause) => sum + (clause.score_points ?? 0), 0),
			cap,
			levels
		};
	});
}

/** A cap as the audit log names it: the level's code and which majors count. */
function capInWords(cap: repo.MajorCapRow, levels: GradeLevelChoice[]) {
	const level = levels.find((l) => l.id === cap.levelId);
	return level ? `${level.code} (${cap.counts})` : null;
}

/**
 * Sets a standard's scoring sheet and cap at the standard's `version` (which moves on). Points
 * need not add up to 100: the total is normalised over them (domain/scoring.ts).
 */
export async function updateScoringSheet(
	db: AppDatabase,
	actor: Actor,
	input: UpdateScoringSheetInput,
	now?: Date
) {
	authorize(actor, 'catalogue.manage');
	const { standardId, version, points, capLevelId, capCounts } = checked(
		updateScoringSheetSchema,
		input
	);
	return db.inTenant(scopeOf(actor), async (tx) => {
		const standard = await findStandard(tx, standardId, { forUpdate: true });
		if (!standard) throw notFound();
		if (standard.version !== version) throw staleVersion();
		const clauses = await repo.listSheetClauses(tx, [standardId]);
		const byId = new Map(clauses.map((clause) => [clause.id, clause]));
		const sheet: { clauseId: string; points: number }[] = [];
		for (const item of points) {
			const clause = byId.get(item.clauseId);
			if (!clause) throw badInput('points', 'scoring_error_clause_unknown');
			if (item.points !== null) sheet.push({ clauseId: item.clauseId, points: item.points });
		}
		const [problem] = sheetProblems(
			sheet,
			clauses.map((clause) => ({ id: clause.id, parentId: clause.parent_id }))
		);
		if (problem?.problem === 'nested')
			throw badInput(`points-${problem.clauseId}`, 'scoring_error_points_nested', {
				clause: byId.get(problem.clauseId)!.number,
				group: byId.get(problem.ancestorId)!.number
			});
		if (problem) throw badInput(`points-${problem.clauseId}`, 'scoring_error_points_invalid');

		const levels = await levelsOfStandard(tx, standard.grade_scale_id);
		if (capLevelId && !levels.some((level) => level.id === capLevelId))
			throw badInput('capLevelId', 'scoring_error_cap_level_invalid');
		const beforeCap = await repo.findMajorCap(tx, standardId);
		const cap = { levelId: capLevelId, counts: capCounts };

		await repo.setClausePoints(tx, standardId, sheet);
		if (beforeCap.levelId !== cap.levelId || beforeCap.counts !== cap.counts)
			await repo.saveMajorCap(tx, actor.tenantId, standardId, cap);
		const after = await updateAtVersion(tx, 'standards', standardId, version, {});
		if (!after) throw staleVersion();

		const sheetInWords = (rows: { number: string; points: number | null }[]) =>
			rows
				.filter((row) => row.points !== null)
				.map((row) => `${row.number}: ${row.points}`)
				.join(', ');
		await auditAs(tx, actor, 'standard.scoring_update', 'standard', standardId, {
			before: {
				points: sheetInWords(
					clauses.map((clause) => ({ number: clause.number, points: clause.score_points }))
				),
				cap: capInWords(beforeCap, levels)
			},
			after: {
				points: sheetInWords(
					clauses.map((clause) => ({
						number: clause.number,
						points: sheet.find((item) => item.clauseId === clause.id)?.points ?? null
					}))
				),
				cap: capInWords(cap, levels)
			},
			at: now
		});
		return { version: after.version };
	});
}

/* ---- An evaluation's scores. ---- */

/** An evaluation with what its scoring reads: the sheet, the scores, the scale, the cap, the majors. */
interface Scoring {
	evaluation: Awaited<ReturnType<typeof repo.listScoringEvaluations>>[number];
	/** The standard's clauses that carry points, in reading order. */
	sheet: Awaited<ReturnType<typeof repo.listSheetClauses>>;
	scores: repo.ScoreRow[];
	levels: GradeLevelChoice[];
	cap: repo.MajorCapRow;
	majors: Awaited<ReturnType<typeof repo.listMajors>>;
}

/**
 * The scoring of each of `evaluationIds`, in at most six queries however many they are (the
 * decision page reads the scoring of all its evaluations); NOT_FOUND when one is not found.
 * One evaluation's scoring is this read with one id.
 */
async function scoringsOf(
	tx: Tx,
	evaluationIds: readonly string[],
	options: { forUpdate?: boolean } = {}
): Promise<Map<string, Scoring>> {
	const ids = distinct(evaluationIds);
	const evaluations = await repo.listScoringEvaluations(tx, ids, options);
	if (evaluations.length !== ids.length) throw notFound();
	const standardIds = distinct(evaluations.map((evaluation) => evaluation.standard_id));
	const [clauses, scores, levels, caps, majors] = await Promise.all([
		repo.listSheetClauses(tx, standardIds),
		repo.listScores(tx, ids),
		levelsOfScales(tx, distinct(evaluations.map((evaluation) => evaluation.grade_scale_id))),
		repo.listMajorCaps(tx, standardIds),
		repo.listMajors(tx, ids)
	]);
	const sheets = groupBy(
		clauses.filter((clause) => clause.score_points !== null),
		(clause) => clause.standard_id
	);
	const scoresOf = groupBy(scores, (row) => row.evaluation_id);
	const majorsOf = groupBy(majors, (row) => row.evaluation_id);
	return new Map(
		evaluations.map((evaluation) => [
			evaluation.id,
			{
				evaluation,
				sheet: sheets.get(evaluation.standard_id) ?? [],
				scores: scoresOf.get(evaluation.id) ?? [],
				levels: evaluation.grade_scale_id ? (levels.get(evaluation.grade_scale_id) ?? []) : [],
				cap: caps.get(evaluation.standard_id)!,
				majors: majorsOf.get(evaluation.id) ?? []
			}
		])
	);
}

async function scoringOf(
	tx: Tx,
	evaluationId: string,
	options: { forUpdate?: boolean } = {}
): Promise<Scoring> {
	return (await scoringsOf(tx, [evaluationId], options)).get(evaluationId)!;
}

function resultOf(scoring: Scoring, scores: ClauseScore[] = scoring.scores.map(asClauseScore)) {
	return scoreEvaluation({
		sheet: scoring.sheet.map((clause) => ({ clauseId: clause.id, points: clause.score_points! })),
		scores,
		levels: scoring.levels,
		cap: scoring.cap,
		majors: scoring.majors
	});
}

const asClauseScore = (row: repo.ScoreRow): ClauseScore => ({
	clauseId: row.clause_id,
	score: row.score
});

/** The scoring the evaluation page shows: each clause of the sheet with its score, the result. */
export async function getEvaluationScoring(db: AppDatabase, actor: Actor, evaluationId: string) {
	authorize(actor, 'evaluation.read');
	return db.inTenant(scopeOf(actor), async (tx) => {
		const scoring = await scoringOf(tx, evaluationId);
		const onTeam = await isOnTeam(tx, evaluationId, actor.userId);
		const byClause = new Map(scoring.scores.map((row) => [row.clause_id, row]));
		return {
			items: scoring.sheet.map((clause) => {
				const row = byClause.get(clause.id);
				return {
					clauseId: clause.id,
					number: clause.number,
					titleZh: clause.title_zh,
					titleEn: clause.title_en,
					points: clause.score_points!,
					score: row?.score ?? null,
					scoredBy: row?.scorer_name ?? null,
					scoredAt: row?.scored_at ?? null
				};
			}),
			result: resultOf(scoring),
			levels: scoring.levels,
			cap: scoring.cap,
			/** The actor may give scores now: on the team, the evaluation in progress. */
			mayScore:
				can(actor, 'evaluation.score', { onTeam }) &&
				scoring.evaluation.status === 'in_progress' &&
				scoring.sheet.length > 0
		};
	});
}

export type EvaluationScoring = Awaited<ReturnType<typeof getEvaluationScoring>>;

/**
 * Gives (or clears) scores on an evaluation in progress; only the evaluation's team may. Each
 * entry carries the score the form showed: a score changed meanwhile by a teammate is a stale
 * form, not overwritten. One audit entry per clause whose score changed.
 */
export async function recordScores(
	db: AppDatabase,
	actor: Actor,
	input: RecordScoresInput,
	now?: Date
) {
	// Whose role may never score (an organisation's user, a decision maker) learns nothing more.
	if (!mayEver(actor, 'evaluation.score')) throw forbidden();
	const { evaluationId, scores } = checked(recordScoresSchema, input);
	return db.inTenant(scopeOf(actor), async (tx) => {
		// Locked: two saves of one evaluation's scores take turns, so "previous" means what it says.
		const scoring = await scoringOf(tx, evaluationId, { forUpdate: true });
		const onTeam = await isOnTeam(tx, evaluationId, actor.userId);
		authorize(actor, 'evaluation.score', { onTeam });
		if (scoring.evaluation.status !== 'in_progress')
			throw new Refusal('CONFLICT', 'scoring_error_not_in_progress');
		const sheet = new Map(scoring.sheet.map((clause) => [clause.id, clause]));
		const stored = new Map(scoring.scores.map((row) => [row.clause_id, row.score]));
		const changes: {
			clauseId: string;
			number: string;
			before: number | null;
			after: number | null;
		}[] = [];
		for (const entry of scores) {
			const clause = sheet.get(entry.clauseId);
			if (!clause) throw badInput('scores', 'scoring_error_clause_unknown');
			if (entry.score !== null && !isValidScore(entry.score, clause.score_points!))
				throw badInput(`score-${clause.id}`, 'scoring_error_score_range', {
					clause: clause.number,
					points: clause.score_points!
				});
			const current = stored.get(clause.id) ?? null;
			if (entry.score === current) continue;
			if (current !== entry.previous) throw staleVersion();
			changes.push({
				clauseId: clause.id,
				number: clause.number,
				before: current,
				after: entry.score
			});
		}
		for (const change of changes) {
			if (change.after === null) await repo.deleteScore(tx, evaluationId, change.clauseId);
			else
				await repo.saveScore(tx, {
					tenantId: actor.tenantId,
					evaluationId,
					clauseId: change.clauseId,
					score: change.after,
					scoredBy: actor.userId,
					scoredAt: now
				});
			await auditAs(tx, actor, 'evaluation.score', 'evaluation', evaluationId, {
				// The clause only after: the timeline shows what changed, and names the clause so.
				before: { score: change.before },
				after: { clause: change.number, score: change.after },
				at: now
			});
		}
		const after = await repo.listScores(tx, [evaluationId]);
		return { changed: changes.length, result: resultOf(scoring, after.map(asClauseScore)) };
	});
}

/**
 * What scores would give, unsaved: the scoring form's live total and grade, from the same rule
 * as the saved ones (scores out of range count as not given).
 */
export async function previewScores(
	db: AppDatabase,
	actor: Actor,
	input: { evaluationId: string; scores: { clauseId: string; score: number | null }[] }
): Promise<ScoringResult> {
	authorize(actor, 'evaluation.read');
	return db.inTenant(scopeOf(actor), async (tx) => {
		const scoring = await scoringOf(tx, input.evaluationId);
		const points = new Map(scoring.sheet.map((clause) => [clause.id, clause.score_points!]));
		const scores = input.scores.filter(
			(entry): entry is ClauseScore =>
				entry.score !== null &&
				points.has(entry.clauseId) &&
				isValidScore(entry.score, points.get(entry.clauseId)!)
		);
		return resultOf(scoring, scores);
	});
}

/** Kinds after which the score proposes a grade: the certificate exists and is re-evaluated. */
const PROPOSING_KINDS: readonly EvaluationKind[] = ['surveillance', 'recertification', 'initial'];

export interface GradeProposal {
	evaluationId: string;
	/** The total so far (0–100); null without a scoring sheet. */
	total: number | null;
	complete: boolean;
	scored: number;
	items: number;
	/** The grade the scores give, capped; null while incomplete or below every level. */
	computedLevelId: string | null;
	/** The grade before the cap. */
	scoredLevelId: string | null;
	cappedBy: { levelId: string; references: string[] } | null;
	/** The certificate's grade now (null: none, or no certificate yet). */
	currentLevelId: string | null;
	proposal: GradeProposalKind;
	levels: GradeLevelChoice[];
}

/** The grade one evaluation's scoring proposes (null: none, see gradeProposal). */
function proposalOf(scoring: Scoring): GradeProposal | null {
	if (scoring.sheet.length === 0 || scoring.levels.length === 0) return null;
	if (!PROPOSING_KINDS.includes(scoring.evaluation.kind)) return null;
	const currentLevelId = scoring.evaluation.certificate_grade_level_id ?? null;
	const result = resultOf(scoring);
	return {
		evaluationId: scoring.evaluation.id,
		total: result.total,
		complete: result.complete,
		scored: result.scored,
		items: result.items,
		computedLevelId: result.computedLevelId,
		scoredLevelId: result.scoredLevelId,
		cappedBy: result.cappedBy,
		currentLevelId,
		proposal: proposeGrade(result, currentLevelId),
		levels: scoring.levels
	};
}

/**
 * The proposals of several evaluations inside a transaction of the caller's, in a fixed number
 * of queries however many they are (the decision page reads one per evaluation it offers).
 */
export async function gradeProposalsIn(
	tx: Tx,
	evaluationIds: readonly string[]
): Promise<Map<string, GradeProposal | null>> {
	const scorings = await scoringsOf(tx, evaluationIds);
	return new Map([...scorings].map(([id, scoring]) => [id, proposalOf(scoring)]));
}

/** One evaluation's proposal inside a transaction of the caller's. */
export async function gradeProposalIn(tx: Tx, evaluationId: string): Promise<GradeProposal | null> {
	return (await gradeProposalsIn(tx, [evaluationId])).get(evaluationId) ?? null;
}

/**
 * The grade an evaluation's scores propose: "maintain" when it equals the certificate's grade,
 * else "regrade to X" (null when the standard is not scored or the evaluation proposes none).
 * For the decision page and the grant form; CB staff read it.
 */
export async function gradeProposal(
	db: AppDatabase,
	actor: Actor,
	evaluationId: string
): Promise<GradeProposal | null> {
	authorize(actor, 'evaluation.read');
	return db.inTenant(scopeOf(actor), (tx) => gradeProposalIn(tx, evaluationId));
}
