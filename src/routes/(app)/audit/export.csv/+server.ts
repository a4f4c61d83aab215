import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { auditCsvChunks, auditCsvFileName } from '$lib/server/services/audit';
import { translate } from '$lib/server/i18n/translate';
import { readAuditFilters } from '../filters';

/** The tenant's audit log as CSV, streamed batch by batch with the page's filters. */
export const GET: RequestHandler = async ({ locals, url }) => {
	const actor = requireActor(locals, 'audit.read');
	const { filters, problems } = readAuditFilters(url.searchParams);
	const [problem] = Object.values(problems);
	if (problem) error(400, translate(problem, locals.locale));
	const { db } = await runtimeApp();
	const chunks = auditCsvChunks(db, actor, filters);
	// The first chunk (BOM and header) comes after the checks and the first query: a refusal
	// or a database failure still becomes a proper error response, not a truncated file.
	const first = await chunks.next();
	const encoder = new TextEncoder();
	const body = new ReadableStream<Uint8Array>({
		start(controller) {
			if (first.done) controller.close();
			else controller.enqueue(encoder.encode(first.value));
		},
		async pull(controller) {
			const next = await chunks.next();
			if (next.done) controller.close();
			else controller.enqueue(encoder.encode(next.value));
		},
		async cancel() {
			await chunks.return(undefined);
		}
	});
	return new Response(body, {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="${auditCsvFileName(actor)}"`,
			'cache-control': 'no-store',
			'x-content-type-options': 'nosniff'
		}
	});
};
