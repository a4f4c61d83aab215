import type { z } from 'zod';
import type { AppDatabase, Tx } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import { badInput, notFound, staleVersion } from '../errors';
import { refuseUniqueViolations } from '../db/errors';
import * as repo from '../repositories/catalogue';
import { authorize } from './authorize';
import { checked } from './catalogue-support';
import { auditAs } from './audit-entry';
import { gradeScaleInput, type GradeScaleInput } from './grade-scales.schema';

/* Grade scales (SPEC §3): the named levels a graded certificate is given, rank 1 highest. */

export { MAX_GRADE_LEVELS, type GradeScaleInput } from './grade-scales.schema';

/** A scale with its levels, highest first; undefined when the tenant has no such scale. */
export async function gradeScaleWithLevels(tx: Tx, id: string) {
	const scale = await repo.findGradeScale(tx, id);
	if (!scale) return null;
	return { ...scale, levels: await repo.listGradeLevels(tx, [id]) };
}

export function listGradeScales(db: AppDatabase, actor: Actor) {
	authorize(actor, 'catalogue.read');
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
	authorize(actor, 'catalogue.read');
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

/** `now`: when it happens (the demo loads its past); unset, the database's clock. */
export function createGradeScale(
	db: AppDatabase,
	actor: Actor,
	input: GradeScaleInput,
	now?: Date
) {
	authorize(actor, 'catalogue.manage');
	const scale = checked(gradeScaleInput, input);
	return db.inTenant(scopeOf(actor), async (tx) => {
		const row = await repo.insertGradeScale(tx, actor.tenantId, scale);
		await repo.insertGradeLevels(tx, actor.tenantId, row.id, scale.levels.map(levelFields));
		const created = (await gradeScaleWithLevels(tx, row.id))!;
		await auditAs(tx, actor, 'grade_scale.create', 'grade_scale', row.id, {
			after: scaleSnapshot(created),
			at: now
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
	authorize(actor, 'catalogue.manage');
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
			await auditAs(tx, actor, 'grade_scale.update', 'grade_scale', id, {
				before: scaleSnapshot(before),
				after: scaleSnapshot(after)
			});
			return after;
		})
		.catch(concurrentSave);
}
