import type { RequestHandler } from './$types';
import { evidenceUploadRoute } from '$lib/server/evidence/upload-route';

/** Evidence of a finding (multipart, streamed): see src/lib/server/evidence/upload.ts. */
export const POST: RequestHandler = evidenceUploadRoute(({ findingId }) => ({
	kind: 'finding',
	id: findingId
}));
