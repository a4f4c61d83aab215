import { z } from 'zod';
import { defineJob } from '../definition';

/** Delivers whatever of a tenant's outbox is due (retries, leases run out, timer mode). */
export const mailSweep = defineJob({
	name: 'mail.sweep',
	version: 1,
	queue: 'mail',
	schema: z.object({ tenantId: z.uuid(), window: z.string().max(40) }).strict(),
	options: { attempts: 3 }
});
