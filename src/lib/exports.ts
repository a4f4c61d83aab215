/*
 * The lists that export and the formats they export in (issue 11 item 4): `/findings/export.csv`,
 * `/certificates/export.xlsx?status=active`. Shared by the route's matchers, the pages' links
 * and the server, so none names a list or format the others do not know.
 */

export const EXPORT_LISTS = [
	'findings',
	'evaluations',
	'certificates',
	'organisations',
	'obligations'
] as const;
export type ExportList = (typeof EXPORT_LISTS)[number];

export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const isExportList = (value: string): value is ExportList =>
	(EXPORT_LISTS as readonly string[]).includes(value);
export const isExportFormat = (value: string): value is ExportFormat =>
	(EXPORT_FORMATS as readonly string[]).includes(value);

/** Where a list's export in `format` is, with the filter of `query` (the page's own parameters). */
export function exportHref(list: ExportList, format: ExportFormat, query: string): string {
	return `/${list}/export.${format}${query ? `?${query}` : ''}`;
}
