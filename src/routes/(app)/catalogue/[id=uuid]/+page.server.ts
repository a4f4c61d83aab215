import type { Actions, PageServerLoad } from './$types';
import type { Locale } from '../../../../../db/schema';
import { can } from '$lib/server/domain/permissions';
import { formAction, pageLoad } from '$lib/server/pages';
import { translate } from '$lib/server/i18n/translate';
import {
	CLAUSE_CSV_MAX_ROWS,
	CLAUSE_NUMBER_MAX_LENGTH,
	CLAUSE_TITLE_MAX_LENGTH
} from '$lib/server/domain/clause-csv';
import { getStandard, standardHistory, updateStandard } from '$lib/server/services/standards';
import { addClause, updateClause } from '$lib/server/services/clauses';
import {
	importClauses,
	previewClauseImport,
	type ClauseImportPreview
} from '$lib/server/services/clause-import';
import { listGradeScales } from '$lib/server/services/grade-scales';
import { updateStandardInput } from '$lib/server/services/standards.schema';
import { addClauseInput, updateClauseInput } from '$lib/server/services/clauses.schema';
import { clauseImportInput } from '$lib/server/services/clause-import.schema';

/** Limits some clause messages name. */
const LIMITS = {
	max: CLAUSE_CSV_MAX_ROWS,
	maxTitle: CLAUSE_TITLE_MAX_LENGTH,
	maxNumber: CLAUSE_NUMBER_MAX_LENGTH
};

export const load = pageLoad('catalogue.read', async ({ db, actor, event: { params, url } }) => {
	const canManage = can(actor, 'catalogue.manage');
	const standard = await getStandard(db, actor, params.id);
	const [history, gradeScales] = await Promise.all([
		standardHistory(db, actor, params.id),
		canManage ? listGradeScales(db, actor) : Promise.resolve([])
	]);
	return {
		canManage,
		created: url.searchParams.has('created'),
		standard,
		history,
		gradeScales: gradeScales.map(({ id, name_zh, name_en }) => ({ id, name_zh, name_en }))
	};
}) satisfies PageServerLoad;

/** The preview as the page shows it: each row's problems in words. */
function previewForPage(preview: ClauseImportPreview, locale: Locale) {
	const say = (key: string) => translate(key, locale, LIMITS);
	return {
		clean: preview.clean,
		counts: preview.counts,
		fileErrors: preview.fileErrors.map(say),
		rows: preview.rows.map((row) => ({
			line: row.line,
			number: row.number,
			titleZh: row.titleZh,
			titleEn: row.titleEn,
			status: row.status,
			errors: row.errors.map(say)
		}))
	};
}

export const actions: Actions = {
	update: formAction(
		'catalogue.manage',
		updateStandardInput,
		async ({ db, actor, input: { id, version, ...fields }, form }) => {
			await updateStandard(db, actor, id, version, fields);
			return { form, saved: true };
		},
		{ idAs: 'id', form: 'standard' }
	),

	addClause: formAction(
		'catalogue.manage',
		addClauseInput,
		async ({ db, actor, input: { standardId, ...clause }, form }) => {
			const added = await addClause(db, actor, standardId, clause);
			return { form, added: added.number };
		},
		{ idAs: 'standardId', form: 'addClause', params: LIMITS }
	),

	updateClause: formAction(
		'catalogue.manage',
		updateClauseInput,
		async ({ db, actor, input: { id, ...titles }, form }) => {
			await updateClause(db, actor, id, titles);
			return { form, clauseId: id, saved: true };
		},
		{ form: 'updateClause', params: LIMITS }
	),

	preview: formAction(
		'catalogue.manage',
		clauseImportInput,
		async ({ db, actor, input: { standardId, csv }, event }) => {
			const preview = await previewClauseImport(db, actor, standardId, csv);
			return { form: 'import', csv, preview: previewForPage(preview, event.locals.locale) };
		},
		{ idAs: 'standardId', form: 'import', params: LIMITS }
	),

	import: formAction(
		'catalogue.manage',
		clauseImportInput,
		async ({ db, actor, input: { standardId, csv }, event }) => {
			const result = await importClauses(db, actor, standardId, csv);
			if (!result.imported)
				return {
					form: 'import',
					csv,
					rejected: true,
					preview: previewForPage(result.preview, event.locals.locale)
				};
			return {
				form: 'import',
				imported: { inserted: result.inserted, updated: result.updated }
			};
		},
		{ idAs: 'standardId', form: 'import', params: LIMITS }
	)
};
