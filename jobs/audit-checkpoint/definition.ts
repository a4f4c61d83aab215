import { z } from 'zod';
import { defineJob } from '../definition';

/** Once a day: every tenant's audit chain head, copied outside the database (issue 8 §21). */
export const auditCheckpoint = defineJob({
	name: 'audit.checkpoint',
	version: 1,
	// The Job Schedulers live on the chase queue; this one rides with them.
	queue: 'chase',
	schema: z.object({}).strict(),
	options: { attempts: 5 },
	schedule: { everyMs: 24 * 60 * 60_000 }
});

/** How often the in-process timer (no Redis) writes the checkpoints. */
export const CHECKPOINT_INTERVAL_MS = 24 * 60 * 60_000;
