import { json, type RequestEvent } from '@sveltejs/kit';
import { runtimeApp } from '../runtime';
import { evidenceStorage } from './storage';
import { handleEvidenceUpload } from './upload';
import type { EvidenceSubject } from '../services/evidence-upload';
import { enqueueEvidenceVerification } from '../../../../jobs/enqueue';

/**
 * The POST handler of an evidence upload route (a finding's, an obligation due item's): the
 * request streamed through `handleEvidenceUpload` for the subject the route's address names, the
 * same checks and the same integrity job for every subject.
 */
export function evidenceUploadRoute<Event extends RequestEvent>(
	subjectOf: (params: Event['params']) => EvidenceSubject
) {
	return async ({ request, params, locals }: Event) => {
		const app = await runtimeApp();
		const { status, body } = await handleEvidenceUpload({
			request,
			app,
			actor: locals.actor,
			subject: subjectOf(params),
			locale: locals.locale,
			storage: evidenceStorage(app.config),
			// SPEC §5: a job re-reads the stored bytes before the reviewer relies on them. Never waits
			// on Redis; without it the tenant sweep picks the pending evidence up within its interval.
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
}
