import type { StandardInput } from '$lib/server/services/catalogue';
import { textField } from './forms.server';

/** The standard form's fields: as typed (to show again) and as the service takes them. */
export function readStandardForm(form: FormData) {
	const raw = {
		code: textField(form, 'code'),
		titleZh: textField(form, 'titleZh'),
		titleEn: textField(form, 'titleEn'),
		category: textField(form, 'category'),
		gradeScaleId: textField(form, 'gradeScaleId')
	};
	const input: StandardInput = { ...raw, gradeScaleId: raw.gradeScaleId || null };
	return { raw, input };
}
