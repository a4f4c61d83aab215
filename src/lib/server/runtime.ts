import { startApp, type App } from './app';

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
