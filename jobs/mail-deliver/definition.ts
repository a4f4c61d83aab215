import { z } from 'zod';
import { defineJob } from '../definition';

/** Sends one outbox row now (enqueued after the transaction that wrote it commits). */
export const mailDeliver = defineJob({
	name: 'mail.deliver',
	version: 1,
	queue: 'mail',
	schema: z.object({ tenantId: z.uuid(), outboxId: z.uuid() }).strict(),
	// The row keeps its own retry schedule (domain/mail-retry); the periodic sweep retries.
	options: { attempts: 1, removeOnComplete: { age: 600, count: 100_000 } }
});
