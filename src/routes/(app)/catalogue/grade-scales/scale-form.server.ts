import { fail } from '@sveltejs/kit';
import type { z } from 'zod';
import type { Locale } from '../../../../../db/schema';
import { formObject, readForm, refusalFailure } from '$lib/server/forms';
import { translate } from '$lib/server/i18n/translate';
import { fieldErrors } from '$lib/server/i18n/field-errors';

/*
 * The grade scale form differs from the others in one way: its levels are rows of repeated
 * fields, so a problem is shown on its row's field ('levels.2.code', the whole path) and the rows
 * typed come back as rows. Reading, parsing (the use case's schema reads the level columns) and
 * refusals are the shared ones of $lib/server/forms.
 */

export interface LevelValues {
	id: string;
	code: string;
	labelZh: string;
	labelEn: string;
	minScore: string;
}

function scaleValues(form: Record<string, string | string[]>) {
	const column = (name: string) => {
		const value = form[name];
		return value === undefined ? [] : Array.isArray(value) ? value : [value];
	};
	const one = (name: string) => column(name)[0] ?? '';
	const ids = column('levelId');
	const labelsZh = column('levelLabelZh');
	const labelsEn = column('levelLabelEn');
	const scores = column('levelMinScore');
	const levels: LevelValues[] = column('levelCode').map((code, index) => ({
		id: ids[index] ?? '',
		code,
		labelZh: labelsZh[index] ?? '',
		labelEn: labelsEn[index] ?? '',
		minScore: scores[index] ?? ''
	}));
	return { nameZh: one('nameZh'), nameEn: one('nameEn'), levels };
}

/** `submitForm` for the grade scale form: errors by full path, the rows typed given back. */
export async function submitScaleForm<Schema extends z.ZodType, Result>(
	request: Request,
	locale: Locale,
	schema: Schema,
	run: (input: z.output<Schema>) => Promise<Result>,
	extra: Record<string, unknown> = {}
) {
	const data = await readForm(request);
	if (!data)
		return fail(400, {
			values: scaleValues({}),
			errors: { _: translate('error_form_unreadable', locale) },
			stale: false
		});
	const form = formObject(data);
	const values = scaleValues(form);
	const parsed = schema.safeParse({ ...form, ...extra });
	if (!parsed.success)
		return fail(400, { values, errors: fieldErrors(parsed.error, locale), stale: false });
	try {
		return await run(parsed.data);
	} catch (cause) {
		const failure = refusalFailure(cause, locale, {});
		return fail(failure.status, { ...failure.data, values });
	}
}
