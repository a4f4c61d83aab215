import { z } from 'zod';
import { QUEUE_NAMES } from '../domain/work-queues';
import { cursor } from './common.schema';

/** A queue's page: which queue, and the `next` cursor of the page before. */
export const listWorkQueueSchema = z.object({
	queue: z
		.enum(QUEUE_NAMES as [string, ...string[]], { error: 'error_not_found' })
		.transform((value) => value as (typeof QUEUE_NAMES)[number]),
	cursor
});

/** The dashboard's counts take nothing: they are the actor's own. */
export const workQueueCountsSchema = z.object({}).default({});
