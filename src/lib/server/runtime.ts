import { startApp, type App } from './app';

/** What stops the job workers: jobs/worker.ts's handles (the web process runs them inline). */
export interface StoppableWorkers {
	close(options?: { withinMs?: number }): Promise<void>;
}

/*
 * The process-wide App for SvelteKit: started by the server's init hook, then read by every
 * request. Tests start their own App and never touch this.
 */
let current: Promise<App> | null = null;

export function startRuntime(): Promise<App> {
	current ??= startApp();
	return current;
}

export function runtimeApp(): Promise<App> {
	if (!current) return startRuntime();
	return current;
}

/** How the background jobs (the chase, mail delivery, evidence checks) run in this process. */
export type ChaseMode = 'bullmq' | 'timer';

let mode: ChaseMode = 'timer';

/**
 * 'bullmq' once the job workers run through Redis, else 'timer' (the in-process fallback of the
 * embedded default): for /healthz and the admin pages.
 */
export function chaseMode(): ChaseMode {
	return mode;
}

/** Set by jobs/worker.ts as it starts one or the other. */
export function setChaseMode(next: ChaseMode): void {
	mode = next;
}

/*
 * Shutdown and fatal errors, for both processes (`npm start` through the hooks, `npm run worker`
 * through jobs/worker-entry.ts). A stop never waits on a dependency for ever: each step has its
 * own timeout, and the whole stop has a bound past which the process exits non-zero, because a
 * supervisor (compose, systemd) kills what does not stop and a stuck stop only delays the restart.
 */

/** The whole stop's bound: SHUTDOWN_BOUND_MS, default 10 s. */
export function shutdownBoundMs(env: NodeJS.ProcessEnv = process.env): number {
	const value = Number(env.SHUTDOWN_BOUND_MS);
	return Number.isFinite(value) && value > 0 ? value : 10_000;
}

/** Waits for `work` at most `ms`; true when it settled in time (a rejection counts as settled). */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<false>((resolve) => {
		timer = setTimeout(() => resolve(false), Math.max(0, ms));
	});
	try {
		return await Promise.race([
			work.then(
				() => true,
				() => true
			),
			timeout
		]);
	} finally {
		clearTimeout(timer);
	}
}

/** An error with its chain of causes, for the log line of a fatal error. */
export function describeError(error: unknown): string {
	const parts: string[] = [];
	let current: unknown = error;
	for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
		parts.push(
			current instanceof Error
				? (current.stack ?? `${current.name}: ${current.message}`)
				: String(current)
		);
		current = current instanceof Error ? current.cause : undefined;
	}
	return parts.join('\n  caused by: ');
}

let guarded = false;

/**
 * An uncaught exception or unhandled rejection leaves the process in an unknown state: log it
 * with its causes and exit 1 so the supervisor starts a fresh one (restart: unless-stopped).
 */
export function exitOnFatalErrors(
	processName: string,
	log: (message: string) => void = console.error,
	exit: (code: number) => void = (code) => process.exit(code)
): void {
	if (guarded) return;
	guarded = true;
	const fatal = (kind: string) => (error: unknown) => {
		log(
			`${new Date().toISOString()} ${processName}: fatal ${kind}, exiting: ${describeError(error)}`
		);
		exit(1);
	};
	process.on('uncaughtException', fatal('uncaught exception'));
	process.on('unhandledRejection', fatal('unhandled rejection'));
}

export interface StopStep {
	name: string;
	run: () => Promise<unknown>;
	/** This step's own timeout; when it passes, the stop goes on with the next step. */
	ms: number;
}

/** Runs the steps in order, each within its own timeout; logs the ones that were cut short. */
export async function runStopSteps(
	steps: StopStep[],
	log: (message: string) => void = console.error
): Promise<void> {
	for (const step of steps) {
		const started = Date.now();
		if (!(await settlesWithin(Promise.resolve().then(step.run), step.ms)))
			log(`shutdown: ${step.name} did not finish within ${step.ms} ms; going on without it`);
		else if (Date.now() - started > 1_000)
			log(`shutdown: ${step.name} took ${Date.now() - started} ms`);
	}
}

let boundArmed = false;

/**
 * Arms the bound once: past it, the process logs and exits 1 whatever the stop is waiting on.
 * The timer keeps the process alive on purpose, so a stop that hangs cannot end as a silent 0.
 */
export function armShutdownBound(
	processName: string,
	boundMs: number = shutdownBoundMs(),
	log: (message: string) => void = console.error
): void {
	if (boundArmed) return;
	boundArmed = true;
	setTimeout(() => {
		log(
			`${new Date().toISOString()} ${processName}: shutdown did not finish within ${boundMs} ms; exiting with code 1`
		);
		process.exit(1);
	}, boundMs);
}

/**
 * The web process's stop. adapter-node stops taking requests on SIGTERM/SIGINT, lets the
 * requests in flight finish (its SHUTDOWN_TIMEOUT, which scripts/start.js sets below this bound)
 * and then emits 'sveltekit:shutdown'. The workers need no requests, so they stop from the
 * signal on; the producer, Redis and the database pool close once the last request is done.
 */
export function stopWebOnSignals(
	app: App,
	parts: { workers: StoppableWorkers | null; closeProducer: () => Promise<void> },
	options: { boundMs?: number; log?: (message: string) => void } = {}
): void {
	const boundMs = options.boundMs ?? shutdownBoundMs();
	const log = options.log ?? console.error;
	let workersStopping: Promise<void> | null = null;
	const stopWorkers = () =>
		(workersStopping ??= parts.workers?.close({ withinMs: boundMs * 0.5 }) ?? Promise.resolve());
	const onSignal = (signal: NodeJS.Signals) => {
		log(`${new Date().toISOString()} web: ${signal}: stopping (bound ${boundMs} ms)`);
		armShutdownBound('web', boundMs, log);
		void stopWorkers().catch((error) => log(`shutdown: workers: ${describeError(error)}`));
	};
	process.once('SIGTERM', onSignal);
	process.once('SIGINT', onSignal);
	process.once('sveltekit:shutdown', async () => {
		armShutdownBound('web', boundMs, log);
		await runStopSteps(
			[
				{ name: 'the job workers', run: stopWorkers, ms: boundMs * 0.5 },
				{ name: 'the job producer', run: parts.closeProducer, ms: 1_000 },
				{ name: 'Redis and the database pool', run: () => app.close(), ms: boundMs * 0.2 }
			],
			log
		);
		log(`${new Date().toISOString()} web: stopped`);
		process.exit(0);
	});
}
