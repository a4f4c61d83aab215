import type { JobsOptions } from 'bullmq';
import type { z } from 'zod';
import type { App } from '../src/lib/server/app';
import type { MailTransport } from '../src/lib/server/mail/transport';
import type { Producer } from './producer';

/*
 * A background job is declared once: its name, version, the zod schema of its data, its queue and
 * BullMQ options, and (for clocks) its schedule. The handler lives beside the definition and is
 * bound to it with `definition.bind(handler)`, which types the handler's data by the schema — no
 * casts — and parses every job's data before the handler sees it.
 */

export const QUEUES = ['chase', 'mail', 'evidence'] as const;
export type QueueName = (typeof QUEUES)[number];

/** What a handler gets besides its data. */
export interface JobContext {
	app: App;
	transport: MailTransport;
	/** Enqueues follow-up jobs; `available()` is false in timer mode (no Redis). */
	producer: Producer;
	now(): Date;
}

export interface JobSchedule {
	/** Milliseconds between runs (a BullMQ Job Scheduler, or the in-process timer). */
	everyMs: number;
}

export interface JobDefinitionShape {
	name: string;
	version: number;
	queue: QueueName;
	schema: z.ZodType;
	options: JobsOptions;
	schedule?: JobSchedule;
}

export interface BoundJob {
	definition: JobDefinitionShape;
	/** Parses `data` with the definition's schema, then runs the handler. */
	run(context: JobContext, data: unknown): Promise<unknown>;
}

export interface JobDefinition<
	Name extends string,
	Schema extends z.ZodType
> extends JobDefinitionShape {
	name: Name;
	schema: Schema;
	bind(handler: (context: JobContext, data: z.infer<Schema>) => Promise<unknown>): BoundJob;
}

/** The BullMQ job name: name and version, so a worker never runs data of another version. */
export function jobName(definition: Pick<JobDefinitionShape, 'name' | 'version'>): string {
	return `${definition.name}@${definition.version}`;
}

export function defineJob<const Name extends string, Schema extends z.ZodType>(definition: {
	name: Name;
	version: number;
	queue: QueueName;
	schema: Schema;
	options?: JobsOptions;
	schedule?: JobSchedule;
}): JobDefinition<Name, Schema> {
	const full: JobDefinition<Name, Schema> = {
		...definition,
		options: {
			attempts: 5,
			backoff: { type: 'exponential', delay: 2_000 },
			removeOnComplete: { age: 3_600, count: 10_000 },
			removeOnFail: { age: 7 * 86_400 },
			...definition.options
		},
		bind: (handler) => ({
			definition: full,
			run: (context, data) => handler(context, definition.schema.parse(data))
		})
	};
	return full;
}
