import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
	cappingMajors,
	isValidScore,
	proposeGrade,
	scoreEvaluation,
	sheetProblems,
	type ScaleLevel,
	type ScoringInput,
	type SheetItem
} from '../../src/lib/server/domain/scoring';

/* The pure rule of scoring and grades (issue 12 item 2). */

// The demo scale: ≥95 五星, ≥90 四星, ≥80 三星, ≥70 达标.
const STARS: ScaleLevel[] = [
	{ id: '5', rank: 1, minScore: 95 },
	{ id: '4', rank: 2, minScore: 90 },
	{ id: '3', rank: 3, minScore: 80 },
	{ id: 'pass', rank: 4, minScore: 70 }
];
// The demo sheet of GB/T 27922: four clause groups.
const SHEET: SheetItem[] = [
	{ clauseId: '4.1', points: 20 },
	{ clauseId: '4.2', points: 30 },
	{ clauseId: '4.3', points: 20 },
	{ clauseId: '4.4', points: 30 }
];
const NO_CAP = { levelId: null, counts: 'any' as const };

function scored(scores: number[], extra: Partial<ScoringInput> = {}) {
	return scoreEvaluation({
		sheet: SHEET,
		scores: scores.map((score, index) => ({ clauseId: SHEET[index]!.clauseId, score })),
		levels: STARS,
		cap: NO_CAP,
		majors: [],
		...extra
	});
}

describe('the total', () => {
	it('is the points earned over the points of the sheet, × 100', () => {
		expect(scored([20, 30, 20, 30]).total).toBe(100);
		expect(scored([18, 27, 19, 28]).total).toBe(92);
		expect(scored([0, 0, 0, 0]).total).toBe(0);
	});

	it('normalises points that do not add up to 100 (实际得分 / 涉及项总分值 × 100)', () => {
		const result = scoreEvaluation({
			sheet: [
				{ clauseId: 'a', points: 10 },
				{ clauseId: 'b', points: 30 }
			],
			scores: [
				{ clauseId: 'a', score: 10 },
				{ clauseId: 'b', score: 27 }
			],
			levels: STARS,
			cap: NO_CAP,
			majors: []
		});
		expect(result.total).toBe(92.5);
		expect(result.computedLevelId).toBe('4');
	});

	it('is rounded down to two decimals, so a total just under a threshold never shows it', () => {
		// 94.995 of 100 cannot be scored with two decimals on one clause of 100; on three of 1 point
		// (2.84 of 3 = 94.666…) the total shows 94.66, four stars.
		const result = scoreEvaluation({
			sheet: [
				{ clauseId: 'a', points: 1 },
				{ clauseId: 'b', points: 1 },
				{ clauseId: 'c', points: 1 }
			],
			scores: [
				{ clauseId: 'a', score: 1 },
				{ clauseId: 'b', score: 0.95 },
				{ clauseId: 'c', score: 0.89 }
			],
			levels: STARS,
			cap: NO_CAP,
			majors: []
		});
		expect(result.total).toBe(94.66);
		expect(result.computedLevelId).toBe('4');
	});

	it('is null without a scoring sheet, which never gives a grade', () => {
		const result = scoreEvaluation({
			sheet: [],
			scores: [],
			levels: STARS,
			cap: NO_CAP,
			majors: []
		});
		expect(result).toMatchObject({ total: null, complete: false, computedLevelId: null });
	});

	it('ignores scores of clauses that are not on the sheet', () => {
		const result = scoreEvaluation({
			sheet: SHEET,
			scores: [
				...SHEET.map((item) => ({ clauseId: item.clauseId, score: item.points })),
				{ clauseId: 'elsewhere', score: 50 }
			],
			levels: STARS,
			cap: NO_CAP,
			majors: []
		});
		expect(result.total).toBe(100);
		expect(result.scored).toBe(4);
	});
});

describe('the grade thresholds', () => {
	it.each([
		[[20, 30, 20, 30], '5'],
		[[19, 28, 19, 29], '5'], // 95: the threshold itself
		[[19, 28, 19, 28.99], '4'], // 94.99
		[[18, 27, 18, 27], '4'], // 90
		[[16, 24, 16, 24], '3'], // 80
		[[14, 21, 14, 21], 'pass'], // 70
		[[14, 21, 14, 20.99], null] // 69.99: below every level
	])('%j gives %s', (scores, level) => {
		expect(scored(scores).computedLevelId).toBe(level);
	});

	it('skips levels without a minimum score and reads the ranks, not the order given', () => {
		const levels: ScaleLevel[] = [
			{ id: 'pass', rank: 4, minScore: 70 },
			{ id: 'special', rank: 1, minScore: null },
			{ id: '4', rank: 2, minScore: 90 }
		];
		expect(scored([20, 30, 20, 30], { levels }).computedLevelId).toBe('4');
		expect(scored([16, 24, 16, 24], { levels }).computedLevelId).toBe('pass');
	});
});

describe('an incomplete sheet', () => {
	it('has a total so far but no grade', () => {
		const result = scoreEvaluation({
			sheet: SHEET,
			scores: [{ clauseId: '4.1', score: 20 }],
			levels: STARS,
			cap: NO_CAP,
			majors: []
		});
		expect(result).toMatchObject({
			total: 20,
			scored: 1,
			items: 4,
			complete: false,
			computedLevelId: null,
			cappedBy: null
		});
		expect(proposeGrade(result, '5')).toEqual({ kind: 'incomplete' });
	});
});

describe('the cap of a major nonconformity', () => {
	const major = (status: 'open' | 'closed', reference = 'NC-1') => ({ reference, status });

	it('lowers a better grade to the cap level and names the majors', () => {
		const result = scored([20, 30, 20, 30], {
			cap: { levelId: '3', counts: 'any' },
			majors: [major('closed')]
		});
		expect(result).toMatchObject({
			scoredLevelId: '5',
			computedLevelId: '3',
			cappedBy: { levelId: '3', references: ['NC-1'] }
		});
	});

	it('leaves a grade at or below the cap alone', () => {
		const cap = { levelId: '3', counts: 'any' as const };
		expect(scored([16, 24, 16, 24], { cap, majors: [major('open')] })).toMatchObject({
			computedLevelId: '3',
			cappedBy: null
		});
		expect(scored([14, 21, 14, 21], { cap, majors: [major('open')] })).toMatchObject({
			computedLevelId: 'pass',
			cappedBy: null
		});
	});

	it('counts only open majors when the scheme says so', () => {
		const cap = { levelId: '4', counts: 'open' as const };
		expect(scored([20, 30, 20, 30], { cap, majors: [major('closed')] }).computedLevelId).toBe('5');
		expect(
			scored([20, 30, 20, 30], { cap, majors: [major('closed'), major('open', 'NC-2')] }).cappedBy
		).toEqual({ levelId: '4', references: ['NC-2'] });
	});

	it('does nothing without a cap rule, or with a cap level the scale no longer has', () => {
		expect(scored([20, 30, 20, 30], { majors: [major('open')] }).computedLevelId).toBe('5');
		expect(
			scored([20, 30, 20, 30], {
				cap: { levelId: 'gone', counts: 'any' },
				majors: [major('open')]
			}).computedLevelId
		).toBe('5');
		expect(cappingMajors(NO_CAP, [major('open')])).toEqual([]);
	});
});

describe('the proposal', () => {
	it('maintains when the grade equals the current one, else regrades to it', () => {
		const five = scored([20, 30, 20, 30]);
		expect(proposeGrade(five, '5')).toEqual({ kind: 'maintain', levelId: '5' });
		expect(proposeGrade(five, '4')).toEqual({ kind: 'regrade', levelId: '5' });
		expect(proposeGrade(five, null)).toEqual({ kind: 'regrade', levelId: '5' });
		expect(proposeGrade(scored([18, 27, 18, 27]), '5')).toEqual({ kind: 'regrade', levelId: '4' });
	});

	it('says when a complete score reaches no level', () => {
		expect(proposeGrade(scored([0, 0, 0, 0]), '5')).toEqual({ kind: 'below_scale' });
	});
});

describe('scores and sheets', () => {
	it('takes scores from 0 to the points, two decimals at most', () => {
		expect(isValidScore(0, 20)).toBe(true);
		expect(isValidScore(20, 20)).toBe(true);
		expect(isValidScore(19.75, 20)).toBe(true);
		expect(isValidScore(20.01, 20)).toBe(false);
		expect(isValidScore(-1, 20)).toBe(false);
		expect(isValidScore(1.005, 20)).toBe(false);
		expect(isValidScore(Number.NaN, 20)).toBe(false);
	});

	it('refuses a scored clause inside another scored clause, and points out of range', () => {
		const tree = [
			{ id: '4', parentId: null },
			{ id: '4.1', parentId: '4' },
			{ id: '4.1.1', parentId: '4.1' },
			{ id: '4.2', parentId: '4' }
		];
		expect(
			sheetProblems(
				[
					{ clauseId: '4.1', points: 50 },
					{ clauseId: '4.2', points: 50 }
				],
				tree
			)
		).toEqual([]);
		expect(
			sheetProblems(
				[
					{ clauseId: '4', points: 50 },
					{ clauseId: '4.1.1', points: 50 }
				],
				tree
			)
		).toEqual([{ problem: 'nested', clauseId: '4.1.1', ancestorId: '4' }]);
		expect(sheetProblems([{ clauseId: '4.1', points: 0 }], tree)).toEqual([
			{ problem: 'points_invalid', clauseId: '4.1' }
		]);
		expect(sheetProblems([{ clauseId: '4.1', points: 1.5 }], tree)).toEqual([
			{ problem: 'points_invalid', clauseId: '4.1' }
		]);
	});
});

/* Properties over any sheet, any scores and the demo scale. */

const sheetWithScores = fc
	.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 12 })
	.chain((points) =>
		fc.tuple(
			fc.constant(points.map((p, index) => ({ clauseId: `c${index}`, points: p }))),
			fc.tuple(...points.map((p) => fc.integer({ min: 0, max: p * 100 }).map((h) => h / 100)))
		)
	);

function complete(sheet: SheetItem[], scores: number[], extra: Partial<ScoringInput> = {}) {
	return scoreEvaluation({
		sheet,
		scores: scores.map((score, index) => ({ clauseId: sheet[index]!.clauseId, score })),
		levels: STARS,
		cap: NO_CAP,
		majors: [],
		...extra
	});
}

describe('properties', () => {
	it('the total lies in 0–100 and the grade is the best level whose minimum it reaches', () => {
		fc.assert(
			fc.property(sheetWithScores, ([sheet, scores]) => {
				const result = complete(sheet, scores);
				expect(result.complete).toBe(true);
				expect(result.total).toBeGreaterThanOrEqual(0);
				expect(result.total).toBeLessThanOrEqual(100);
				const expected =
					STARS.filter((level) => result.total! >= level.minScore!).sort(
						(a, b) => a.rank - b.rank
					)[0]?.id ?? null;
				expect(result.computedLevelId).toBe(expected);
			})
		);
	});

	it('scoring one clause higher never lowers the total nor the grade', () => {
		fc.assert(
			fc.property(sheetWithScores, fc.nat(), ([sheet, scores], pick) => {
				const index = pick % sheet.length;
				const higher = [...scores];
				higher[index] = sheet[index]!.points;
				const before = complete(sheet, scores);
				const after = complete(sheet, higher);
				expect(after.total!).toBeGreaterThanOrEqual(before.total!);
				const rank = (id: string | null) => STARS.find((l) => l.id === id)?.rank ?? 99;
				expect(rank(after.computedLevelId)).toBeLessThanOrEqual(rank(before.computedLevelId));
			})
		);
	});

	it('scaling every point and score by the same factor leaves the total alone (normalised)', () => {
		fc.assert(
			fc.property(sheetWithScores, fc.integer({ min: 2, max: 5 }), ([sheet, scores], k) => {
				fc.pre(sheet.every((item) => item.points * k <= 1000));
				const scaled = sheet.map((item) => ({ ...item, points: item.points * k }));
				const scaledScores = scores.map((score) => Math.round(score * k * 100) / 100);
				expect(complete(scaled, scaledScores).total).toBe(complete(sheet, scores).total);
			})
		);
	});

	it('a cap never raises a grade, and lowers it to the cap exactly when a counted major exists', () => {
		fc.assert(
			fc.property(
				sheetWithScores,
				fc.constantFrom('5', '4', '3', 'pass'),
				fc.constantFrom('any' as const, 'open' as const),
				fc.array(fc.constantFrom('open' as const, 'closed' as const), { maxLength: 3 }),
				([sheet, scores], capId, counts, statuses) => {
					const majors = statuses.map((status, i) => ({ reference: `NC-${i}`, status }));
					const free = complete(sheet, scores);
					const capped = complete(sheet, scores, { cap: { levelId: capId, counts }, majors });
					const rank = (id: string | null) => STARS.find((l) => l.id === id)?.rank ?? 99;
					expect(rank(capped.computedLevelId)).toBeGreaterThanOrEqual(rank(free.computedLevelId));
					const counted = statuses.some((s) => counts === 'any' || s !== 'closed');
					const capRank = rank(capId);
					const expected =
						counted && rank(free.computedLevelId) < capRank ? capId : free.computedLevelId;
					expect(capped.computedLevelId).toBe(expected);
					expect(capped.cappedBy !== null).toBe(expected !== free.computedLevelId);
				}
			)
		);
	});

	it('leaving any clause unscored gives no grade and no proposal', () => {
		fc.assert(
			fc.property(sheetWithScores, fc.nat(), ([sheet, scores], pick) => {
				const index = pick % sheet.length;
				const result = scoreEvaluation({
					sheet,
					scores: scores
						.map((score, i) => ({ clauseId: sheet[i]!.clauseId, score }))
						.filter((_, i) => i !== index),
					levels: STARS,
					cap: NO_CAP,
					majors: []
				});
				expect(result.complete).toBe(false);
				expect(result.computedLevelId).toBeNull();
				expect(proposeGrade(result, '5')).toEqual({ kind: 'incomplete' });
			})
		);
	});
});
