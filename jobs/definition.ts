import type { z } from 'zod';
import type { App } from '../src/lib/server/app';

/** A background job: its queue name, the shape of its data, and an idempotent handler. */
export interface JobDefinition<Schema extends z.ZodType = z.ZodType> {
	name: string;
	schema: Schema;
	/** Runs on a schedule (milliseconds between runs) when set. */
	everyMs?: number;
	handle(app: App, data: z.infer<Schema>): Promise<unknown>;
}

export function defineJob<Schema extends z.ZodType>(
	definition: JobDefinition<Schema>
): JobDefinition<Schema> {
	return definition;
}
