import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { evidenceStorage } from '$lib/server/evidence/storage';
import { handleEvidenceUpload } from '$lib/server/evidence/upload';
import { enqueueEvidenceVerification } from '../../../../../jobs/enqueue';

/** Evidence of an obligation's due item: the findings' upload pipeline, checks and integrity job. */
export const POST: RequestHandler = async ({ request, params, locals }) => {
	const app = await runtimeApp();
	const { status, body } = await handleEvidenceUpload({
		request,
		app,
		actor: locals.actor,
		subject: { kind: 'obligation_due_item', id: params.itemId },
		locale: locals.locale,
		storage: evidenceStorage(app.config),
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
