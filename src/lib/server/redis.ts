import { Redis } from 'ioredis';

export interface RedisStatus {
	/** A connected client, or null while Redis is unreachable: callers fall back, never wait. */
	client(): Redis | null;
	available(): boolean;
	close(): Promise<void>;
}

export interface RedisOptions {
	url: string;
	log?: (message: string) => void;
}

/**
 * One shared connection that never blocks a request: commands are not queued while Redis is
 * down (enableOfflineQueue: false) and reconnection keeps trying in the background. The outage
 * is logged once, and its end once.
 */
export function connectRedis({ url, log = console.warn }: RedisOptions): RedisStatus {
	let up = false;
	let reportedDown = false;
	const client = new Redis(url, {
		lazyConnect: false,
		enableOfflineQueue: false,
		maxRetriesPerRequest: 1,
		connectTimeout: 2000,
		retryStrategy: (attempt) => Math.min(attempt * 500, 10_000)
	});
	client.on('ready', () => {
		up = true;
		if (reportedDown) log(`Redis at ${redactUrl(url)} is reachable again.`);
		reportedDown = false;
	});
	const down = () => {
		up = false;
		if (!reportedDown)
			log(
				`Redis at ${redactUrl(url)} is unreachable: sign-in limits are kept in this process and emails wait in the outbox until it returns.`
			);
		reportedDown = true;
	};
	client.on('error', down);
	client.on('close', down);
	return {
		client: () => (up ? client : null),
		available: () => up,
		close: async () => {
			client.removeAllListeners();
			client.disconnect();
		}
	};
}

export function redactUrl(url: string): string {
	try {
		const parsed = new URL(url);
		if (parsed.password) parsed.password = '***';
		return parsed.toString();
	} catch {
		return url;
	}
}
