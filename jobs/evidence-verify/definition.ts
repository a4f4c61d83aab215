import { z } from 'zod';
import { defineJob } from '../definition';

/** Re-reads an uploaded evidence file's stored bytes and records what it found. */
export const evidenceVerify = defineJob({
	name: 'evidence.verify',
	version: 1,
	queue: 'evidence',
	schema: z.object({ tenantId: z.uuid(), evidenceId: z.uuid() }).strict(),
	options: { attempts: 5 }
});
