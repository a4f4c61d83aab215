import { z } from 'zod';
import { defineJob } from '../definition';

/** One tenant's sweep of every clock (jobId = tenant + time window: once per window). */
export const chaseTenant = defineJob({
	name: 'chase.tenant',
	version: 1,
	queue: 'chase',
	schema: z.object({ tenantId: z.uuid(), window: z.string().max(40) }).strict(),
	options: { attempts: 5 }
});

/** A sweep window: the chase runs at most once per tenant in each five minutes. */
export const CHASE_WINDOW_MS = 5 * 60_000;
