import { Queue, Worker } from 'bullmq';
import type { App } from '../src/lib/server/app';
import { jobs } from './registry';

const QUEUE = 'certtrack';

export interface RunningWorkers {
	close(): Promise<void>;
}

function connectionOptions(app: App) {
	const url = new URL(app.config.redisUrl);
	return {
		host: url.hostname,
		port: Number(url.port || 6379),
		username: url.username || undefined,
		password: url.password ? decodeURIComponent(url.password) : undefined,
		db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined,
		maxRetriesPerRequest: null
	};
}

/** Starts the queue worker and registers each scheduled job with a Job Scheduler. */
export async function startWorkers(app: App): Promise<RunningWorkers> {
	const connection = connectionOptions(app);
	const prefix = app.config.redisPrefix;
	const handlers = new Map(jobs.map((job) => [job.name, job]));
	const queue = new Queue(QUEUE, { connection, prefix });
	for (const job of jobs)
		if (job.everyMs)
			await queue.upsertJobScheduler(
				job.name,
				{ every: job.everyMs },
				{ name: job.name, data: {} }
			);

	const worker = new Worker(
		QUEUE,
		async (job) => {
			const definition = handlers.get(job.name);
			if (!definition) throw new Error(`no handler for job "${job.name}"`);
			return definition.handle(app, definition.schema.parse(job.data));
		},
		{ connection, prefix, concurrency: 2 }
	);
	worker.on('failed', (job, error) => console.error(`job ${job?.name} failed:`, error.message));
	return {
		close: async () => {
			await worker.close();
			await queue.close();
		}
	};
}

/**
 * In `npm start`, the workers run inside the web process. They start once Redis answers, so a
 * missing Redis delays the emails (they wait in the outbox) but never the pages.
 */
export function startInlineWorkers(app: App): RunningWorkers {
	let running: Promise<RunningWorkers> | null = null;
	const tryStart = () => {
		if (running || !app.redis?.available()) return;
		running = startWorkers(app).catch((error) => {
			running = null;
			console.error('could not start the job workers:', error);
			return { close: async () => {} };
		});
	};
	tryStart();
	const timer = setInterval(tryStart, 5_000);
	timer.unref();
	return {
		close: async () => {
			clearInterval(timer);
			await (await running)?.close();
		}
	};
}
