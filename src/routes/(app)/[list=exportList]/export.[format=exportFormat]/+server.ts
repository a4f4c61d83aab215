import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { contentDisposition, exportGate, startExport } from '$lib/server/services/exports';
import { refusalAsErrorPage } from '$lib/server/forms';
import { Refusal } from '$lib/server/errors';
import { translate } from '$lib/server/i18n/translate';
import { isExportFormat, isExportList } from '$lib/exports';

/**
 * A list as CSV or XLSX (`/findings/export.csv?status=open`): the rows its filter keeps, streamed
 * batch by batch as the client reads them (services/exports.ts).
 */
export const GET: RequestHandler = async ({ locals, params, url }) => {
	const { list, format } = params;
	if (!isExportList(list) || !isExportFormat(format)) error(404);
	const gate = exportGate(list);
	const actor = requireActor(locals, gate === 'member' ? undefined : gate);
	const { db } = await runtimeApp();
	let file;
	try {
		file = await startExport(db, actor, list, format, url.searchParams, locals.locale);
	} catch (cause) {
		// A filter the list does not offer: say which, and what is wrong with it.
		if (cause instanceof Refusal && cause.kind === 'BAD_REQUEST' && cause.field)
			error(
				400,
				translate('exports_error_filter', locals.locale, {
					name: cause.field,
					problem: translate(cause.messageKey, locals.locale, cause.params)
				})
			);
		refusalAsErrorPage(cause, locals.locale);
	}
	return new Response(file.body, {
		headers: {
			'content-type': file.contentType,
			'content-disposition': contentDisposition(file),
			'cache-control': 'no-store',
			'x-content-type-options': 'nosniff'
		}
	});
};
