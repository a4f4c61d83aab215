import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { refusalAsErrorPage } from '$lib/server/forms';
import { isRegistryFile } from '$lib/server/domain/registry-export';
import { registryPeriod, startRegistryExport } from '$lib/server/services/registry-export';

/**
 * One registry file for a period (`/reports/registry/cnca.csv?month=2026-11`), streamed batch by
 * batch as the client reads it (services/registry-export.ts).
 */
export const GET: RequestHandler = async ({ locals, params, url }) => {
	const name = params.file.replace(/\.csv$/, '');
	if (!params.file.endsWith('.csv') || !isRegistryFile(name)) error(404);
	const actor = requireActor(locals, 'registry.export');
	const { db } = await runtimeApp();
	let file;
	try {
		file = await startRegistryExport(db, actor, name, registryPeriod(url.searchParams, actor));
	} catch (cause) {
		refusalAsErrorPage(cause, locals.locale);
	}
	return new Response(file.body, {
		headers: {
			'content-type': file.contentType,
			'content-disposition': `attachment; filename="${file.fileName}"`,
			'cache-control': 'no-store',
			'x-content-type-options': 'nosniff'
		}
	});
};
