import { Queue, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { z } from 'zod';
import { jobName, QUEUES, type JobDefinition, type QueueName } from './definition';

/*
 * Adding jobs. In request paths a producer never waits on Redis: its connection has no offline
 * queue and one retry, commands time out after a second, and while Redis is down `add` returns
 * false at once. Whatever a job would do is also done by a periodic sweep (pending outbox rows,
 * evidence still 'pending'), so a job that could not be added is late, never lost.
 */

export interface Producer {
	available(): boolean;
	add<S extends z.ZodType>(
		definition: JobDefinition<string, S>,
		data: z.input<S>,
		options?: JobsOptions
	): Promise<boolean>;
	addBulk<S extends z.ZodType>(
		definition: JobDefinition<string, S>,
		jobs: { data: z.input<S>; options?: JobsOptions }[]
	): Promise<boolean>;
	close(): Promise<void>;
}

/** Redis connection settings from a URL, for BullMQ (workers add maxRetriesPerRequest: null). */
export function redisOptions(url: string) {
	const parsed = new URL(url);
	return {
		host: parsed.hostname,
		port: Number(parsed.port || 6379),
		username: parsed.username || undefined,
		password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
		db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : undefined
	};
}

/** BullMQ job ids may not contain ':'; ours are built from uuids and windows. */
export function jobId(...parts: (string | number)[]): string {
	return parts.join('_').replaceAll(':', '-');
}

export function createProducer(options: { url: string; prefix: string }): Producer {
	let up = false;
	const connection = new Redis({
		...redisOptions(options.url),
		enableOfflineQueue: false,
		maxRetriesPerRequest: 1,
		connectTimeout: 2_000,
		commandTimeout: 2_000,
		retryStrategy: (attempt) => Math.min(attempt * 500, 10_000)
	});
	connection.on('ready', () => (up = true));
	connection.on('error', () => (up = false));
	connection.on('close', () => (up = false));
	const queues = new Map<QueueName, Queue>();
	const queue = (name: QueueName) => {
		let q = queues.get(name);
		if (!q) {
			q = new Queue(name, { connection, prefix: options.prefix });
			q.on('error', () => {});
			queues.set(name, q);
		}
		return q;
	};
	const attempt = async (work: () => Promise<unknown>) => {
		if (!up) return false;
		try {
			await work();
			return true;
		} catch {
			return false;
		}
	};
	return {
		available: () => up,
		add: (definition, data, jobOptions) =>
			attempt(() =>
				queue(definition.queue).add(jobName(definition), definition.schema.parse(data), {
					...definition.options,
					...jobOptions
				})
			),
		addBulk: (definition, jobs) =>
			attempt(() =>
				queue(definition.queue).addBulk(
					jobs.map((job) => ({
						name: jobName(definition),
						data: definition.schema.parse(job.data),
						opts: { ...definition.options, ...job.options }
					}))
				)
			),
		close: async () => {
			// The queues share this connection, so closing them sends nothing; still, never wait
			// on them for long: the disconnect below is what lets go of Redis.
			let timer: NodeJS.Timeout | undefined;
			await Promise.race([
				Promise.allSettled([...queues.values()].map((q) => q.close())),
				new Promise((resolve) => (timer = setTimeout(resolve, 1_000)))
			]);
			clearTimeout(timer);
			connection.disconnect();
		}
	};
}

/** A producer that has no Redis: timer mode, and tests without it. */
export const NO_PRODUCER: Producer = {
	available: () => false,
	add: async () => false,
	addBulk: async () => false,
	close: async () => {}
};

export { QUEUES };
