import type { RequestHandler } from './$types';
import { evidenceUploadRoute } from '$lib/server/evidence/upload-route';

/** Evidence of an obligation's due item: the findings' upload pipeline, checks and integrity job. */
export const POST: RequestHandler = evidenceUploadRoute(({ itemId }) => ({
	kind: 'obligation_due_item',
	id: itemId
}));
