import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import type { App } from '$lib/server/app';
import { chaseMode, runtimeApp } from '$lib/server/runtime';

/*
 * Answers within a second whatever is down: each check has its own deadline and none of them
 * waits on the application's connection pool (the database ping has a connection of its own).
 */
const DATABASE_DEADLINE_MS = 800;
const REDIS_DEADLINE_MS = 300;
/** While the app is still starting (migrating), or could not start. */
const STARTUP_DEADLINE_MS = 800;

function within<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const deadline = new Promise<T>((resolve) => {
		timer = setTimeout(() => resolve(fallback), ms);
	});
	return Promise.race([work.catch(() => fallback), deadline]).finally(() => clearTimeout(timer));
}

async function redisState(app: App): Promise<'ok' | 'unavailable' | 'off'> {
	if (!app.redis) return 'off';
	const client = app.redis.client();
	if (!client) return 'unavailable';
	const answer = await within(client.ping(), REDIS_DEADLINE_MS, null);
	return answer === 'PONG' ? 'ok' : 'unavailable';
}

export const GET: RequestHandler = async () => {
	const started = Date.now();
	const headers = { 'cache-control': 'no-store' };
	const app = await within(runtimeApp(), STARTUP_DEADLINE_MS, null);
	if (!app) {
		return json(
			{ status: 'starting', db: 'unavailable', redis: 'unavailable', chase: chaseMode() },
			{ status: 503, headers }
		);
	}
	const [db, redis] = await Promise.all([app.pingDatabase(DATABASE_DEADLINE_MS), redisState(app)]);
	const body = {
		// Redis is optional (the app falls back without it): only the database decides.
		status: db ? 'ok' : 'degraded',
		db: db ? 'ok' : 'unavailable',
		redis,
		chase: chaseMode(),
		mail: app.config.smtpUrl ? 'smtp' : 'files',
		ms: Date.now() - started
	};
	return json(body, { status: db ? 200 : 503, headers });
};
