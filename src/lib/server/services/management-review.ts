import ExcelJS from 'exceljs';
import type { Locale } from '../../../../db/schema';
import type { Actor } from '../actor';
import { translate } from '../i18n/translate';
import type { BodyFigures } from './figures';

/*
 * The management review as a workbook (issue 11 item 6): the figures of the printable page, one
 * sheet per figure, headings and names in the reader's language, numbers as numbers.
 */

type Cell = string | number | null;

interface Sheet {
	name: string;
	header: string[];
	rows: Cell[][];
}

const labelOf = (prefix: string, value: string, locale: Locale) =>
	translate(`${prefix}${value}`, locale);

const clauseName = (row: { number: string | null; standardCode: string }, locale: Locale) =>
	`${row.number ?? translate('figures_no_clause', locale)} · ${row.standardCode}`;

function sheetsOf(f: BodyFigures, locale: Locale): Sheet[] {
	const t = (key: string, params: Record<string, string | number> = {}) =>
		translate(key, locale, params);
	const openHeader = (dimension: string) => [
		t(dimension),
		t('figures_series_open'),
		t('figures_series_overdue')
	];
	const closeHeader = (dimension: string) => [
		t(dimension),
		t('figures_series_closed'),
		t('figures_series_mean'),
		t('figures_series_p90')
	];
	return [
		{
			name: t('figures_sheet_by_grade'),
			header: openHeader('figures_dim_grade'),
			rows: f.byGrade.map((r) => [
				labelOf('evaluations_grade_', r.grade, locale),
				r.open,
				r.overdue
			])
		},
		{
			name: t('figures_sheet_ageing'),
			header: [t('figures_dim_days_overdue'), t('figures_series_overdue')],
			rows: f.ageing.map((r) => [
				t(`figures_ageing_${r.key.replace('-', '_').replace('+', '')}`),
				r.count
			])
		},
		{
			name: t('figures_sheet_by_standard'),
			header: openHeader('figures_dim_standard'),
			rows: f.byStandard.map((r) => [r.code, r.open, r.overdue])
		},
		{
			name: t('figures_sheet_by_clause'),
			header: openHeader('figures_dim_clause'),
			rows: f.byClause.map((r) => [clauseName(r, locale), r.open, r.overdue])
		},
		{
			name: t('figures_sheet_by_organisation'),
			header: openHeader('figures_dim_organisation'),
			rows: f.byOrganisation.map((r) => [r.name, r.open, r.overdue])
		},
		{
			name: t('figures_sheet_close_standard'),
			header: closeHeader('figures_dim_standard'),
			rows: f.closeByStandard.map((r) => [r.code, r.count, r.mean, r.p90])
		},
		{
			name: t('figures_sheet_close_evaluator'),
			header: closeHeader('figures_dim_evaluator'),
			rows: f.closeByEvaluator.map((r) => [r.name, r.count, r.mean, r.p90])
		},
		{
			name: t('figures_sheet_evaluations'),
			header: [t('figures_dim_month'), t('figures_series_planned'), t('figures_series_done')],
			rows: f.evaluationsByMonth.map((r) => [r.month, r.planned, r.done])
		},
		{
			name: t('figures_sheet_certificates'),
			header: [t('figures_dim_status'), t('figures_dim_grade'), t('figures_series_count')],
			rows: f.certificates.map((r) => [
				labelOf('status_', r.status, locale),
				(locale === 'en' ? r.gradeEn || r.gradeZh : r.gradeZh) ?? t('figures_no_grade'),
				r.count
			])
		}
	];
}

/** The workbook's bytes: a cover sheet naming the body and the period, then the figures. */
export async function managementReviewWorkbook(
	actor: Actor,
	figures: BodyFigures,
	locale: Locale
): Promise<Uint8Array> {
	const workbook = new ExcelJS.Workbook();
	workbook.creator = 'CertTrack';
	const cover = workbook.addWorksheet(translate('review_title', locale));
	cover.addRow([translate('review_title', locale)]).font = { bold: true, size: 14 };
	cover.addRow([actor.tenant.name]);
	cover.addRow([
		translate('figures_in_period', locale, { from: figures.period.from, to: figures.period.to })
	]);
	cover.addRow([translate('figures_as_of', locale, { date: figures.today })]);
	cover.getColumn(1).width = 60;
	for (const sheet of sheetsOf(figures, locale)) {
		const worksheet = workbook.addWorksheet(sheet.name.slice(0, 31));
		worksheet.addRow(sheet.header).font = { bold: true };
		for (const row of sheet.rows) worksheet.addRow(row);
		worksheet.columns.forEach((column, index) => {
			column.width = index === 0 ? 40 : 14;
		});
		worksheet.views = [{ state: 'frozen', ySplit: 1 }];
	}
	return new Uint8Array(await workbook.xlsx.writeBuffer());
}

export function managementReviewFileName(actor: Actor, figures: BodyFigures): string {
	const slug = actor.tenant.slug.replace(/[^a-z0-9-]+/gi, '-') || 'tenant';
	return `management-review-${slug}-${figures.period.from}-${figures.period.to}.xlsx`;
}
