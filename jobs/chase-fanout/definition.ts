import { z } from 'zod';
import { defineJob } from '../definition';

/** The clock: every minute, one job per tenant for each sweep (chase, delivery, digest). */
export const chaseFanout = defineJob({
	name: 'chase.fanout',
	version: 1,
	queue: 'chase',
	schema: z.object({}).strict(),
	options: { attempts: 3 },
	schedule: { everyMs: 60_000 }
});
