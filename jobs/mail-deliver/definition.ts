import { z } from 'zod';
import { defineJob } from '../definition';

/** Most outbox rows one delivery job carries (one claim, one mark). */
export const DELIVERY_BATCH = 200;

/**
 * Sends a batch of outbox rows now (enqueued after the transaction that wrote them commits).
 * Version 2 carries a batch: a sweep writing 100,000 messages enqueues 500 jobs, not 100,000,
 * and each job claims its rows in one statement under the lease.
 */
export const mailDeliver = defineJob({
	name: 'mail.deliver',
	version: 2,
	queue: 'mail',
	schema: z
		.object({
			tenantId: z.uuid(),
			outboxIds: z.array(z.uuid()).min(1).max(DELIVERY_BATCH)
		})
		.strict(),
	// The rows keep their own retry schedule (domain/mail-retry); the periodic sweep retries.
	options: { attempts: 1, removeOnComplete: { age: 600, count: 10_000 } }
});
