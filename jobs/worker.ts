import { Queue, UnrecoverableError, Worker } from 'bullmq';
import type { App } from '../src/lib/server/app';
import { listTenantIds } from '../src/lib/server/db/tenant-scope';
import { createMailTransport, type MailTransport } from '../src/lib/server/mail/transport';
import { setChaseMode } from '../src/lib/server/runtime';
import { jobName, QUEUES, type JobContext } from './definition';
import { createProducer, NO_PRODUCER, redisOptions, type Producer } from './producer';
import { checkRegistry, definitions, handlerFor, handlers } from './registry';
import { chaseFanout } from './chase-fanout/definition';
import { chaseTenant } from './chase-tenant/definition';
import { mailSweep } from './mail-sweep/definition';
import { mailDigest } from './mail-digest/definition';
import { windowOf } from './chase-fanout/handler';
import { auditCheckpoint, CHECKPOINT_INTERVAL_MS } from './audit-checkpoint/definition';

/** How long close() waits for running jobs before it lets go of them (they are retried). */
export const SHUTDOWN_GRACE_MS = 10_000;

export interface RunningWorkers {
	close(): Promise<void>;
}

export interface WorkerOptions {
	/** Redis key prefix (tests use their own); default config.redisPrefix. */
	prefix?: string;
	redisUrl?: string;
	transport?: MailTransport;
	now?: () => Date;
	concurrency?: Partial<Record<(typeof QUEUES)[number], number>>;
	/** Register the Job Schedulers (default true). */
	schedule?: boolean;
	log?: (message: string) => void;
}

async function bounded(work: Promise<unknown>, ms: number): Promise<boolean> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
	try {
		return await Promise.race([work.then(() => true), timeout]);
	} finally {
		clearTimeout(timer);
	}
}

/**
 * The BullMQ workers: one per queue, running the registry's handlers. Refuses to start when the
 * registry is inconsistent. Registers each scheduled job with a Job Scheduler (upsert: several
 * processes doing it at once leave one scheduler) and ticks the clock once at start.
 */
export async function startWorkers(app: App, options: WorkerOptions = {}): Promise<RunningWorkers> {
	const byName = checkRegistry();
	const prefix = options.prefix ?? app.config.redisPrefix;
	const url = options.redisUrl ?? app.config.redisUrl;
	const log = options.log ?? console.error;
	const transport = options.transport ?? createMailTransport(app.config);
	const producer = createProducer({ url, prefix });
	const context: JobContext = {
		app,
		transport,
		producer,
		now: options.now ?? (() => new Date())
	};
	const connection = { ...redisOptions(url), maxRetriesPerRequest: null };
	const workers = QUEUES.map((queue) => {
		const worker = new Worker(
			queue,
			async (job) => {
				const bound = byName.get(job.name);
				if (!bound) throw new UnrecoverableError(`no handler for job "${job.name}"`);
				return bound.run(context, job.data);
			},
			{
				connection,
				prefix,
				concurrency: options.concurrency?.[queue] ?? (queue === 'mail' ? 8 : 2)
			}
		);
		worker.on('failed', (job, error) => log(`job ${job?.name} failed: ${error.message}`));
		worker.on('error', () => {});
		return worker;
	});
	const scheduling = new Queue('chase', { connection, prefix });
	scheduling.on('error', () => {});
	if (options.schedule !== false) {
		for (const definition of definitions)
			if (definition.schedule)
				await scheduling.upsertJobScheduler(
					definition.name,
					{ every: definition.schedule.everyMs },
					{ name: jobName(definition), data: {}, opts: definition.options }
				);
		await producer.add(
			chaseFanout,
			{},
			{ jobId: `fanout_start_${windowOf(context.now(), 60_000)}` }
		);
	}
	setChaseMode('bullmq');
	return {
		close: async () => {
			const closing = Promise.all(workers.map((worker) => worker.close()));
			if (!(await bounded(closing, SHUTDOWN_GRACE_MS)))
				await Promise.all(workers.map((worker) => worker.close(true)));
			await scheduling.close().catch(() => {});
			await producer.close();
			transport.close();
		}
	};
}

/**
 * Without Redis, the same handlers on an in-process timer: every tenant's chase, digest and
 * delivery sweeps, one run at a time. Returns a handle whose close() waits for a running pass.
 */
export function startTimer(
	app: App,
	options: {
		intervalMs?: number;
		firstRunMs?: number;
		transport?: MailTransport;
		now?: () => Date;
		producer?: Producer;
		log?: (message: string) => void;
	} = {}
) {
	checkRegistry();
	const log = options.log ?? console.error;
	const transport = options.transport ?? createMailTransport(app.config);
	const context: JobContext = {
		app,
		transport,
		producer: options.producer ?? NO_PRODUCER,
		now: options.now ?? (() => new Date())
	};
	let running: Promise<void> | null = null;
	let stopped = false;
	let lastCheckpoint: number | null = null;
	const pass = async () => {
		const now = context.now();
		if (lastCheckpoint === null || now.getTime() - lastCheckpoint >= CHECKPOINT_INTERVAL_MS) {
			lastCheckpoint = now.getTime();
			try {
				await handlerFor(auditCheckpoint, handlers).run(context, {});
			} catch (error) {
				log(`${auditCheckpoint.name} failed: ${(error as Error).message}`);
			}
		}
		for (const tenantId of await listTenantIds(app.db)) {
			for (const [definition, data] of [
				[chaseTenant, { tenantId, window: windowOf(now, 60_000) }],
				[mailDigest, { tenantId, window: windowOf(now, 60_000) }],
				[mailSweep, { tenantId, window: windowOf(now, 60_000) }]
			] as const) {
				if (stopped) return;
				try {
					await handlerFor(definition, handlers).run(context, data);
				} catch (error) {
					log(`${definition.name} for tenant ${tenantId} failed: ${(error as Error).message}`);
				}
			}
		}
	};
	const tick = () => {
		if (running || stopped) return;
		running = pass()
			.catch((error) => log(`chase timer pass failed: ${(error as Error).message}`))
			.finally(() => (running = null));
	};
	const first = setTimeout(tick, options.firstRunMs ?? 3_000);
	const timer = setInterval(tick, options.intervalMs ?? 60_000);
	first.unref();
	timer.unref();
	return {
		/** Runs one pass now (tests; and the first run). */
		runNow: async () => {
			tick();
			await running;
		},
		close: async () => {
			stopped = true;
			clearTimeout(first);
			clearInterval(timer);
			await bounded(running ?? Promise.resolve(), SHUTDOWN_GRACE_MS);
			if (!options.transport) transport.close();
		}
	};
}

/**
 * In `npm start`, the jobs run inside the web process: through BullMQ once Redis answers, on the
 * in-process timer until then (or for good, on a bare machine) — so reminders land in data/mail
 * either way. `chaseMode()` (src/lib/server/runtime) tells which.
 */
export function startInlineWorkers(app: App): RunningWorkers {
	let workers: Promise<RunningWorkers> | null = null;
	let timer: ReturnType<typeof startTimer> | null = null;
	let stopping = false;
	const check = () => {
		if (stopping || workers) return;
		if (app.redis?.available()) {
			const stopTimer = timer?.close();
			timer = null;
			workers = Promise.resolve(stopTimer)
				.then(() => startWorkers(app))
				.catch((error) => {
					console.error('could not start the job workers; using the in-process timer:', error);
					workers = null;
					return { close: async () => {} };
				});
			return;
		}
		if (!timer) {
			timer = startTimer(app);
			setChaseMode('timer');
		}
	};
	// Redis, when there is one, answers within moments of start: give it those before the timer.
	const early = setTimeout(check, 1_500);
	const poll = setInterval(check, 5_000);
	early.unref();
	poll.unref();
	return {
		close: async () => {
			stopping = true;
			clearTimeout(early);
			clearInterval(poll);
			await timer?.close();
			await (await workers)?.close();
		}
	};
}
