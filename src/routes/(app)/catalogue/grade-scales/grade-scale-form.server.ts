import type { GradeScaleInput } from '$lib/server/services/catalogue';
import { textField } from '../forms.server';

export interface LevelValues {
	id: string;
	code: string;
	labelZh: string;
	labelEn: string;
	minScore: string;
}

/**
 * The grade scale form: the names, then one row of level fields per grade, highest first
 * (repeated names keep their order in the form data).
 */
export function readGradeScaleForm(form: FormData) {
	const column = (name: string) => form.getAll(name).map((value) => String(value));
	const codes = column('levelCode');
	const ids = column('levelId');
	const labelsZh = column('levelLabelZh');
	const labelsEn = column('levelLabelEn');
	const scores = column('levelMinScore');
	const levels: LevelValues[] = codes.map((code, index) => ({
		id: ids[index] ?? '',
		code,
		labelZh: labelsZh[index] ?? '',
		labelEn: labelsEn[index] ?? '',
		minScore: scores[index] ?? ''
	}));
	const raw = { nameZh: textField(form, 'nameZh'), nameEn: textField(form, 'nameEn'), levels };
	const input: GradeScaleInput = {
		nameZh: raw.nameZh,
		nameEn: raw.nameEn,
		levels: levels.map((level) => ({
			id: level.id || null,
			code: level.code,
			labelZh: level.labelZh,
			labelEn: level.labelEn,
			minScore: level.minScore.trim() === '' ? null : Number(level.minScore)
		}))
	};
	return { raw, input };
}
