import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { evidenceStorage } from '$lib/server/evidence/storage';
import { handleEvidenceUpload } from '$lib/server/evidence/upload';
import { enqueueEvidenceVerification } from '../../../../../jobs/enqueue';

/** Evidence upload (multipart, streamed): see src/lib/server/evidence/upload.ts. */
export const POST: RequestHandler = async ({ request, params, locals }) => {
	const app = await runtimeApp();
	const { status, body } = await handleEvidenceUpload({
		request,
		app,
		actor: locals.actor,
		findingId: params.findingId,
		locale: locals.locale,
		storage: evidenceStorage(app.config),
		// SPEC §5: a job re-reads the stored bytes before the reviewer relies on them. Never waits on
		// Redis; without it the tenant sweep picks the pending evidence up within its interval.
		afterRecord: (evidenceId) => {
			if (locals.actor)
				void enqueueEvidenceVerification(app, {
					tenantId: locals.actor.tenantId,
					evidenceIds: [evidenceId]
				}).catch(() => false);
		}
	});
	return json(body, { status, headers: { 'cache-control': 'no-store' } });
};
