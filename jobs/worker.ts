import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { App } from '../src/lib/server/app';
import { listTenantIds } from '../src/lib/server/db/tenant-scope';
import { createMailTransport, type MailTransport } from '../src/lib/server/mail/transport';
import { setChaseMode, settlesWithin } from '../src/lib/server/runtime';
import { jobName, QUEUES, type JobContext, type QueueName } from './definition';
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

/** How often the Job Schedulers are asserted again besides each (re)connection to Redis. */
export const REASSERT_EVERY_MS = 5 * 60_000;

export interface RunningWorkers {
	/** Stops within `withinMs` (default SHUTDOWN_GRACE_MS) whether or not Redis answers. */
	close(options?: { withinMs?: number }): Promise<void>;
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
	/** Assert the schedulers again this often (default REASSERT_EVERY_MS). */
	reassertEveryMs?: number;
	log?: (message: string) => void;
}

const bounded = settlesWithin;

/**
 * The BullMQ workers: one per queue, running the registry's handlers. Refuses to start when the
 * registry is inconsistent.
 *
 * Each scheduled job has a Job Scheduler, and those live only in Redis: a Redis that comes back
 * empty (no persistence, a failover, a flush) has none, and nothing would ever tick again. So the
 * schedulers are asserted (upsert: idempotent, and several processes doing it at once leave one)
 * on every connection to Redis — the first and each reconnect — and on a timer, and each
 * assertion ticks the clock once so the sweeps run now rather than a period later.
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

	// The schedulers' own connection: its 'ready' is the signal that Redis is (back) there.
	const scheduler = new Redis({
		...connection,
		retryStrategy: (attempt) => Math.min(attempt * 500, 5_000)
	});
	scheduler.on('error', () => {});
	const scheduled = definitions.filter((definition) => definition.schedule);
	const queues = new Map<QueueName, Queue>();
	for (const definition of scheduled)
		if (!queues.has(definition.queue)) {
			const queue = new Queue(definition.queue, { connection: scheduler, prefix });
			queue.on('error', () => {});
			queues.set(definition.queue, queue);
		}
	let closing = false;
	let asserting: Promise<boolean> | null = null;
	let retry: NodeJS.Timeout | undefined;
	const assertOnce = async (): Promise<boolean> => {
		try {
			for (const definition of scheduled) {
				const queue = queues.get(definition.queue)!;
				await queue.upsertJobScheduler(
					definition.name,
					{ every: definition.schedule!.everyMs },
					{ name: jobName(definition), data: {}, opts: definition.options }
				);
			}
			// One tick now: an empty Redis would otherwise wait a whole period for the first.
			await queues
				.get(chaseFanout.queue)
				?.add(
					jobName(chaseFanout),
					{},
					{ ...chaseFanout.options, jobId: `fanout_start_${windowOf(context.now(), 60_000)}` }
				);
			return true;
		} catch (error) {
			if (closing) return false;
			log(`could not assert the job schedules (will retry): ${(error as Error).message}`);
			clearTimeout(retry);
			retry = setTimeout(() => void assertSchedules(), 5_000);
			retry.unref();
			return false;
		}
	};
	const assertSchedules = () => {
		if (closing || options.schedule === false) return Promise.resolve(false);
		asserting ??= assertOnce().finally(() => (asserting = null));
		return asserting;
	};
	scheduler.on('ready', () => void assertSchedules());
	const timer = setInterval(
		() => void assertSchedules(),
		options.reassertEveryMs ?? REASSERT_EVERY_MS
	);
	timer.unref();
	if (options.schedule !== false) {
		// Give the first connection a moment, so the schedules are in place when this returns
		// while Redis answers; if it does not, its 'ready' asserts them later.
		await bounded(
			new Promise<void>((resolve) => {
				if (scheduler.status === 'ready') resolve();
				else scheduler.once('ready', () => resolve());
			}).then(() => assertSchedules()),
			5_000
		);
	}
	setChaseMode('bullmq');
	return {
		close: async ({ withinMs = SHUTDOWN_GRACE_MS } = {}) => {
			closing = true;
			clearInterval(timer);
			clearTimeout(retry);
			scheduler.removeAllListeners('ready');
			// With Redis gone, a graceful close would wait for it (BullMQ's quit is queued until it
			// reconnects): let go at once; the running jobs' locks lapse and they are retried.
			const reachable = scheduler.status === 'ready';
			const closingAll = Promise.allSettled(workers.map((worker) => worker.close(!reachable)));
			if (!(await bounded(closingAll, withinMs * 0.7))) {
				log(`the job workers did not stop within ${Math.round(withinMs * 0.7)} ms; disconnecting`);
				await bounded(
					Promise.allSettled(workers.map((worker) => worker.disconnect())),
					withinMs * 0.1
				);
			}
			await bounded(
				Promise.allSettled([...queues.values()].map((queue) => queue.close())),
				withinMs * 0.1
			);
			scheduler.disconnect();
			await bounded(producer.close(), withinMs * 0.1);
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
		close: async ({ withinMs = SHUTDOWN_GRACE_MS }: { withinMs?: number } = {}) => {
			stopped = true;
			clearTimeout(first);
			clearInterval(timer);
			await bounded(running ?? Promise.resolve(), withinMs);
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
		close: async ({ withinMs = SHUTDOWN_GRACE_MS } = {}) => {
			stopping = true;
			clearTimeout(early);
			clearInterval(poll);
			const started = Date.now();
			await timer?.close({ withinMs });
			// The workers may still be starting (waiting a moment for Redis): that counts too.
			const running = workers && (await bounded(workers, withinMs - (Date.now() - started)));
			if (running && workers)
				await (await workers).close({ withinMs: withinMs - (Date.now() - started) });
		}
	};
}
