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
