import type { Tx } from '../db/tenant-scope';
import type { MajorCapCounts } from '../../../../db/schema';
import { tenantJoin } from './tenant-join';

/*
 * The rows of scoring: a standard's scoring sheet and cap rule, an evaluation's scores. The
 * reads an evaluation's scoring makes take several evaluations (or standards) at once, so that
 * the decision page reads the scoring of all its evaluations in as many queries as of one.
 */

/**
 * Evaluations as their scoring reads them: kind and status, the standard's grade scale and the
 * certificate's grade now (null: none, or no certificate yet); `forUpdate` locks the evaluations.
 */
export function listScoringEvaluations(
	tx: Tx,
	evaluationIds: readonly string[],
	options: { forUpdate?: boolean } = {}
) {
	if (evaluationIds.length === 0) return Promise.resolve([]);
	return tx
		.selectFrom('evaluations')
		.innerJoin('standards', tenantJoin('standards', 'evaluations.standard_id'))
		.leftJoin('certificates', tenantJoin('certificates', 'evaluations.certificate_id'))
		.select([
			'evaluations.id',
			'evaluations.kind',
			'evaluations.status',
			'evaluations.standard_id',
			'evaluations.certificate_id',
			'standards.grade_scale_id',
			'certificates.grade_level_id as certificate_grade_level_id'
		])
		.where('evaluations.id', 'in', evaluationIds)
		.$if(!!options.forUpdate, (query) => query.forUpdate('evaluations'))
		.execute();
}

/**
 * Every clause of the standards, each standard's in reading order, with its points (null: not
 * on the sheet).
 */
export function listSheetClauses(tx: Tx, standardIds: readonly string[]) {
	if (standardIds.length === 0) return Promise.resolve([]);
	return tx
		.selectFrom('clauses')
		.select(['id', 'standard_id', 'parent_id', 'number', 'title_zh', 'title_en', 'score_points'])
		.where('standard_id', 'in', standardIds)
		.orderBy('standard_id')
		.orderBy('sort_key')
		.execute();
}

/** Sets the points of a standard's clauses: those in `points`, and none on every other one. */
export async function setClausePoints(
	tx: Tx,
	standardId: string,
	points: { clauseId: string; points: number }[]
) {
	await tx
		.updateTable('clauses')
		.set({ score_points: null })
		.where('standard_id', '=', standardId)
		.where('score_points', 'is not', null)
		.execute();
	for (const item of points)
		await tx
			.updateTable('clauses')
			.set({ score_points: item.points })
			.where('standard_id', '=', standardId)
			.where('id', '=', item.clauseId)
			.execute();
}

export interface MajorCapRow {
	levelId: string | null;
	counts: MajorCapCounts;
}

/** The cap rule of each standard asked for: none while its scheme rules were never saved. */
export async function listMajorCaps(
	tx: Tx,
	standardIds: readonly string[]
): Promise<Map<string, MajorCapRow>> {
	const rows =
		standardIds.length === 0
			? []
			: await tx
					.selectFrom('scheme_rules')
					.select(['standard_id', 'major_cap_level_id', 'major_cap_counts'])
					.where('standard_id', 'in', standardIds)
					.execute();
	const byStandard = new Map(rows.map((row) => [row.standard_id, row]));
	return new Map(
		standardIds.map((id) => {
			const row = byStandard.get(id);
			return [
				id,
				{ levelId: row?.major_cap_level_id ?? null, counts: row?.major_cap_counts ?? 'any' }
			];
		})
	);
}

/** The cap rule of one standard (the catalogue's scoring sheet). */
export async function findMajorCap(tx: Tx, standardId: string): Promise<MajorCapRow> {
	return (await listMajorCaps(tx, [standardId])).get(standardId)!;
}

/**
 * Saves the cap rule on the standard's scheme rules (creating the row on the defaults when the
 * rules were never saved); the rules' version moves on, so a rules form open meanwhile is stale.
 */
export async function saveMajorCap(tx: Tx, tenantId: string, standardId: string, cap: MajorCapRow) {
	await tx
		.insertInto('scheme_rules')
		.values({
			tenant_id: tenantId,
			standard_id: standardId,
			major_cap_level_id: cap.levelId,
			major_cap_counts: cap.counts
		})
		.onConflict((conflict) =>
			conflict.columns(['tenant_id', 'standard_id']).doUpdateSet((eb) => ({
				major_cap_level_id: eb.ref('excluded.major_cap_level_id'),
				major_cap_counts: eb.ref('excluded.major_cap_counts'),
				version: eb('scheme_rules.version', '+', 1),
				updated_at: new Date()
			}))
		)
		.execute();
}

export interface ScoreRow {
	evaluation_id: string;
	clause_id: string;
	score: number;
	scored_by: string;
	scorer_name: string;
	scored_at: Date;
}

/** The evaluations' scores, with who gave each; numbers, not numeric strings. */
export async function listScores(tx: Tx, evaluationIds: readonly string[]): Promise<ScoreRow[]> {
	if (evaluationIds.length === 0) return [];
	const rows = await tx
		.selectFrom('evaluation_scores')
		.innerJoin('users', 'users.id', 'evaluation_scores.scored_by')
		.select([
			'evaluation_scores.evaluation_id',
			'evaluation_scores.clause_id',
			'evaluation_scores.score',
			'evaluation_scores.scored_by',
			'users.name as scorer_name',
			'evaluation_scores.scored_at'
		])
		.where('evaluation_scores.evaluation_id', 'in', evaluationIds)
		.execute();
	return rows.map((row) => ({ ...row, score: Number(row.score) }));
}

export async function saveScore(
	tx: Tx,
	row: {
		tenantId: string;
		evaluationId: string;
		clauseId: string;
		score: number;
		scoredBy: string;
		scoredAt?: Date;
	}
) {
	const scoredAt = row.scoredAt ?? new Date();
	await tx
		.insertInto('evaluation_scores')
		.values({
			tenant_id: row.tenantId,
			evaluation_id: row.evaluationId,
			clause_id: row.clauseId,
			score: row.score.toFixed(2),
			scored_by: row.scoredBy,
			scored_at: scoredAt
		})
		.onConflict((conflict) =>
			conflict.columns(['tenant_id', 'evaluation_id', 'clause_id']).doUpdateSet({
				score: row.score.toFixed(2),
				scored_by: row.scoredBy,
				scored_at: scoredAt
			})
		)
		.execute();
}

export async function deleteScore(tx: Tx, evaluationId: string, clauseId: string) {
	await tx
		.deleteFrom('evaluation_scores')
		.where('evaluation_id', '=', evaluationId)
		.where('clause_id', '=', clauseId)
		.execute();
}

/** The evaluations' major nonconformities, by reference (the cap rule reads them). */
export function listMajors(tx: Tx, evaluationIds: readonly string[]) {
	if (evaluationIds.length === 0) return Promise.resolve([]);
	return tx
		.selectFrom('findings')
		.select(['evaluation_id', 'reference', 'status'])
		.where('evaluation_id', 'in', evaluationIds)
		.where('kind', '=', 'nonconformity')
		.where('grade', '=', 'major')
		.orderBy('reference')
		.execute();
}
