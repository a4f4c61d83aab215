import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { runtimeApp } from '$lib/server/runtime';

export const GET: RequestHandler = async () => {
	const app = await runtimeApp();
	const db = await app.pingDatabase();
	const body = {
		status: db ? 'ok' : 'degraded',
		db: db ? 'ok' : 'unavailable',
		redis: app.redis?.available() ? 'ok' : 'unavailable'
	};
	return json(body, { status: db ? 200 : 503, headers: { 'cache-control': 'no-store' } });
};
