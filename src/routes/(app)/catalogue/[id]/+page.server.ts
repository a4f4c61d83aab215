import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import type { Locale } from '../../../../../db/schema';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { Refusal } from '$lib/server/errors';
import { translate } from '$lib/server/i18n/translate';
import {
	addClause,
	clauseInput,
	clauseTitlesInput,
	getStandard,
	importClauses,
	listGradeScales,
	previewClauseImport,
	standardHistory,
	standardInput,
	updateClause,
	updateStandard,
	type ClauseImportPreview
} from '$lib/server/services/catalogue';
import { invalid, refused, say, textField, UUID, wholeNumber } from '../forms.server';
import { readStandardForm } from '../standard-form.server';

export const load: PageServerLoad = async ({ locals, params, url }) => {
	const actor = requireActor(locals, 'admin', 'evaluator', 'decision_maker');
	if (!UUID.test(params.id)) error(404, translate('error_not_found', locals.locale));
	const { db } = await runtimeApp();
	const isAdmin = actor.role === 'admin';
	try {
		const standard = await getStandard(db, actor, params.id);
		const [history, gradeScales] = await Promise.all([
			standardHistory(db, actor, params.id),
			isAdmin ? listGradeScales(db, actor) : Promise.resolve([])
		]);
		return {
			isAdmin,
			created: url.searchParams.has('created'),
			standard,
			history,
			gradeScales: gradeScales.map(({ id, name_zh, name_en }) => ({ id, name_zh, name_en }))
		};
	} catch (cause) {
		if (cause instanceof Refusal) error(404, translate(cause.messageKey, locals.locale));
		throw cause;
	}
};

/** The preview as the page shows it: each row's problems in words. */
function previewForPage(preview: ClauseImportPreview, locale: Locale) {
	return {
		clean: preview.clean,
		counts: preview.counts,
		fileErrors: preview.fileErrors.map((key) => say(key, locale)),
		rows: preview.rows.map((row) => ({
			line: row.line,
			number: row.number,
			titleZh: row.titleZh,
			titleEn: row.titleEn,
			status: row.status,
			errors: row.errors.map((key) => say(key, locale))
		}))
	};
}

export const actions: Actions = {
	update: async ({ locals, params, request }) => {
		const actor = requireActor(locals, 'admin');
		const form = await request.formData();
		const values = readStandardForm(form);
		const extra = { form: 'standard' };
		const parsed = standardInput.safeParse(values.input);
		if (!parsed.success) return invalid(values.raw, parsed.error, locals.locale, extra);
		try {
			await updateStandard(
				(await runtimeApp()).db,
				actor,
				params.id,
				wholeNumber(textField(form, 'version')),
				parsed.data
			);
		} catch (cause) {
			return refused(cause, values.raw, locals.locale, extra);
		}
		return { form: 'standard', saved: true };
	},

	addClause: async ({ locals, params, request }) => {
		const actor = requireActor(locals, 'admin');
		const form = await request.formData();
		const values = {
			number: textField(form, 'number'),
			titleZh: textField(form, 'titleZh'),
			titleEn: textField(form, 'titleEn')
		};
		const extra = { form: 'addClause' };
		const parsed = clauseInput.safeParse(values);
		if (!parsed.success) return invalid(values, parsed.error, locals.locale, extra);
		try {
			await addClause((await runtimeApp()).db, actor, params.id, parsed.data);
		} catch (cause) {
			return refused(cause, values, locals.locale, extra);
		}
		return { form: 'addClause', added: parsed.data.number };
	},

	updateClause: async ({ locals, request }) => {
		const actor = requireActor(locals, 'admin');
		const form = await request.formData();
		const clauseId = textField(form, 'clauseId');
		const values = { titleZh: textField(form, 'titleZh'), titleEn: textField(form, 'titleEn') };
		const extra = { form: 'updateClause', clauseId };
		if (!UUID.test(clauseId)) error(404, translate('error_not_found', locals.locale));
		const parsed = clauseTitlesInput.safeParse(values);
		if (!parsed.success) return invalid(values, parsed.error, locals.locale, extra);
		try {
			await updateClause((await runtimeApp()).db, actor, clauseId, parsed.data);
		} catch (cause) {
			return refused(cause, values, locals.locale, extra);
		}
		return { form: 'updateClause', clauseId, saved: true };
	},

	preview: async ({ locals, params, request }) => {
		const actor = requireActor(locals, 'admin');
		const csv = textField(await request.formData(), 'csv');
		try {
			const preview = await previewClauseImport((await runtimeApp()).db, actor, params.id, csv);
			return { form: 'import', csv, preview: previewForPage(preview, locals.locale) };
		} catch (cause) {
			return refused(cause, { csv }, locals.locale, { form: 'import' });
		}
	},

	import: async ({ locals, params, request }) => {
		const actor = requireActor(locals, 'admin');
		const csv = textField(await request.formData(), 'csv');
		try {
			const result = await importClauses((await runtimeApp()).db, actor, params.id, csv);
			if (!result.imported)
				return {
					form: 'import',
					csv,
					rejected: true,
					preview: previewForPage(result.preview, locals.locale)
				};
			return {
				form: 'import',
				imported: { inserted: result.inserted, updated: result.updated }
			};
		} catch (cause) {
			return refused(cause, { csv }, locals.locale, { form: 'import' });
		}
	}
};
