import type { FindingStatus, MajorCapCounts } from '../../../../db/schema';

/*
 * Scoring and grades (issue 12 item 2; GB/T 27922 as commonly applied). A standard's scoring
 * sheet is the clauses (or clause groups) that carry points (分值); an evaluation scores each of
 * them from 0 to its points. The total is the points earned over the points of the sheet, × 100:
 * GB/T 27922's 评分 = 实际得分 / 涉及项总分值 × 100. So the points are normalised and need not
 * add up to 100 (when they do, the total is Σ weight × score / max with weight = max = points).
 * The grade is the best level whose minimum score the total reaches; a major nonconformity caps
 * it when the scheme says so; an incomplete sheet gives no grade.
 *
 * Arithmetic is in hundredths, as integers: scores and minimum scores keep two decimals
 * (numeric(6, 2), numeric(5, 2)), so "94.995 is not 95" holds with no floating-point luck.
 */

/** A clause of the scoring sheet, with the points it is scored out of (a whole number ≥ 1). */
export interface SheetItem {
	clauseId: string;
	points: number;
}

export interface ClauseScore {
	clauseId: string;
	score: number;
}

export interface ScaleLevel {
	id: string;
	/** 1 is the best. */
	rank: number;
	/** null: a level no score reaches (given by decision only). */
	minScore: number | null;
}

/** "A major nonconformity caps the grade at level X" (scheme rules); levelId null: no cap. */
export interface MajorCapRule {
	levelId: string | null;
	counts: MajorCapCounts;
}

export interface MajorNonconformity {
	reference: string;
	status: FindingStatus;
}

export interface ScoringInput {
	sheet: SheetItem[];
	scores: ClauseScore[];
	levels: ScaleLevel[];
	cap: MajorCapRule;
	/** The evaluation's major nonconformities. */
	majors: MajorNonconformity[];
}

export interface ScoringResult {
	/**
	 * The total so far, 0–100, rounded down to two decimals (so it shows ≥ a threshold exactly
	 * when it reaches it); null when the standard has no scoring sheet.
	 */
	total: number | null;
	scored: number;
	items: number;
	/** Every clause of the sheet has its score (and there is a sheet). */
	complete: boolean;
	/** The level the score reaches, before any cap; null while incomplete or below every level. */
	scoredLevelId: string | null;
	/** The grade: the scored level, capped; null while incomplete or below every level. */
	computedLevelId: string | null;
	/** Set when the cap lowered the grade: the cap level and the majors that caused it. */
	cappedBy: { levelId: string; references: string[] } | null;
}

const hundredths = (value: number) => Math.round(value * 100);

/** A score for a clause of `points`: 0 to its points, two decimals at most. */
export function isValidScore(score: number, points: number): boolean {
	return (
		Number.isFinite(score) &&
		score >= 0 &&
		score <= points &&
		Math.abs(hundredths(score) - score * 100) < 1e-6
	);
}

/** The best level a total reaches: the highest rank whose minimum score is ≤ the total. */
function levelReached(
	earnedHundredths: number,
	points: number,
	levels: ScaleLevel[]
): ScaleLevel | null {
	// total ≥ min ⇔ earned/100 × 100 / points ≥ min ⇔ earned × 100 ≥ min(hundredths) × points
	const reached = levels
		.filter(
			(level) =>
				level.minScore !== null && earnedHundredths * 100 >= hundredths(level.minScore) * points
		)
		.sort((a, b) => a.rank - b.rank);
	return reached[0] ?? null;
}

/** The majors the cap rule counts: any of the evaluation's, or only those not closed. */
export function cappingMajors(cap: MajorCapRule, majors: MajorNonconformity[]): string[] {
	if (cap.levelId === null) return [];
	return majors
		.filter((major) => cap.counts === 'any' || major.status !== 'closed')
		.map((major) => major.reference);
}

export function scoreEvaluation(input: ScoringInput): ScoringResult {
	const points = input.sheet.reduce((sum, item) => sum + item.points, 0);
	const byClause = new Map(input.scores.map((entry) => [entry.clauseId, entry.score]));
	let earned = 0;
	let scored = 0;
	for (const item of input.sheet) {
		const score = byClause.get(item.clauseId);
		if (score === undefined) continue;
		scored += 1;
		// A score above its points (the points were lowered after scoring) counts as full marks.
		earned += Math.min(hundredths(score), item.points * 100);
	}
	const items = input.sheet.length;
	const complete = items > 0 && scored === items;
	const total = points > 0 ? Math.floor((earned * 100) / points) / 100 : null;
	if (!complete)
		return {
			total,
			scored,
			items,
			complete,
			scoredLevelId: null,
			computedLevelId: null,
			cappedBy: null
		};

	const reached = levelReached(earned, points, input.levels);
	const capLevel = input.levels.find((level) => level.id === input.cap.levelId) ?? null;
	const references = capLevel ? cappingMajors(input.cap, input.majors) : [];
	const capped =
		reached !== null && capLevel !== null && references.length > 0 && reached.rank < capLevel.rank;
	return {
		total,
		scored,
		items,
		complete,
		scoredLevelId: reached?.id ?? null,
		computedLevelId: capped ? capLevel.id : (reached?.id ?? null),
		cappedBy: capped ? { levelId: capLevel.id, references } : null
	};
}

export type GradeProposalKind =
	| { kind: 'maintain'; levelId: string }
	| { kind: 'regrade'; levelId: string }
	/** Complete, but the total reaches no level of the scale. */
	| { kind: 'below_scale' }
	/** Not every clause is scored (or there is no sheet): nothing follows from the score yet. */
	| { kind: 'incomplete' };

/** What the decision page proposes from the grade a score gives and the certificate's grade. */
export function proposeGrade(
	result: Pick<ScoringResult, 'complete' | 'computedLevelId'>,
	currentLevelId: string | null
): GradeProposalKind {
	if (!result.complete) return { kind: 'incomplete' };
	if (result.computedLevelId === null) return { kind: 'below_scale' };
	return result.computedLevelId === currentLevelId
		? { kind: 'maintain', levelId: result.computedLevelId }
		: { kind: 'regrade', levelId: result.computedLevelId };
}

export type SheetProblem =
	| { problem: 'points_invalid'; clauseId: string }
	/** A clause and one of its ancestors both carry points: their scores would count twice. */
	| { problem: 'nested'; clauseId: string; ancestorId: string };

/**
 * Checks a scoring sheet against the clause tree: whole points 1–1000, and no scored clause
 * inside another scored clause. `clauses` is the whole tree (for the ancestors).
 */
export function sheetProblems(
	sheet: { clauseId: string; points: number }[],
	clauses: { id: string; parentId: string | null }[]
): SheetProblem[] {
	const parentOf = new Map(clauses.map((clause) => [clause.id, clause.parentId]));
	const scored = new Set(sheet.map((item) => item.clauseId));
	const problems: SheetProblem[] = [];
	for (const item of sheet) {
		if (!Number.isInteger(item.points) || item.points < 1 || item.points > 1000) {
			problems.push({ problem: 'points_invalid', clauseId: item.clauseId });
			continue;
		}
		const seen = new Set<string>();
		for (
			let ancestor = parentOf.get(item.clauseId) ?? null;
			ancestor !== null && !seen.has(ancestor);
			ancestor = parentOf.get(ancestor) ?? null
		) {
			seen.add(ancestor);
			if (scored.has(ancestor)) {
				problems.push({ problem: 'nested', clauseId: item.clauseId, ancestorId: ancestor });
				break;
			}
		}
	}
	return problems;
}
