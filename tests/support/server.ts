import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

const root = join(import.meta.dirname, '..', '..');

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() =>
				typeof address === 'object' && address
					? resolve(address.port)
					: reject(new Error('no port'))
			);
		});
	});
}

let built = false;

/**
 * Builds the app as `npm start` would find it, once per test run: test files run in several
 * workers, so the first one builds under a lock and the others wait for its mark.
 */
export function buildApp(): void {
	if (built) return;
	const run = process.env.CERTTRACK_TEST_RUN ?? `pid-${process.pid}`;
	const mark = join(root, 'build', '.built-for-test-run');
	const lock = join(root, '.build-lock');
	const deadline = Date.now() + 300_000;
	for (;;) {
		if (existsSync(mark) && readFileSync(mark, 'utf8') === run) break;
		try {
			mkdirSync(lock);
		} catch {
			if (Date.now() > deadline) throw new Error('waited 5 minutes for another build');
			Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
			continue;
		}
		try {
			if (existsSync(mark) && readFileSync(mark, 'utf8') === run) break;
			const result = spawnSync('npm', ['run', 'build'], {
				cwd: root,
				encoding: 'utf8',
				env: { ...process.env, CERTTRACK_MESSAGES_COMPILED: '1' }
			});
			if (result.status !== 0) throw new Error(`build failed:\n${result.stdout}\n${result.stderr}`);
			writeFileSync(mark, run);
		} finally {
			rmSync(lock, { recursive: true, force: true });
		}
		break;
	}
	built = true;
}

export interface RunningServer {
	origin: string;
	output: () => string;
	stop(): Promise<void>;
}

/**
 * The built app on the embedded default (PGlite in a fresh data directory, demo data on first
 * start), with its own Redis key prefix, which is deleted when it stops. Started as a container
 * would start it (`node build/index.js`), with the built entry's own defaults (BODY_SIZE_LIMIT…);
 * an `env` value of undefined leaves that variable unset.
 */
export async function startBuiltApp(
	env: Record<string, string | undefined> = {}
): Promise<RunningServer> {
	const port = await freePort();
	const dataDir = mkdtempSync(join(tmpdir(), 'certtrack-e2e-'));
	const prefix = `{certtrack-e2e-${randomBytes(4).toString('hex')}}`;
	const origin = `http://127.0.0.1:${port}`;
	let log = '';
	const child: ChildProcess = spawn(process.execPath, ['build/index.js'], {
		cwd: root,
		env: {
			...process.env,
			DATABASE_URL: '',
			PORT: String(port),
			HOST: '127.0.0.1',
			ORIGIN: origin,
			DATA_DIR: dataDir,
			REDIS_PREFIX: prefix,
			...env
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	child.stdout?.on('data', (chunk) => (log += chunk));
	child.stderr?.on('data', (chunk) => (log += chunk));

	const deadline = Date.now() + 90_000;
	for (;;) {
		if (child.exitCode !== null) throw new Error(`the app exited early:\n${log}`);
		try {
			const response = await fetch(`${origin}/healthz`);
			if (response.ok) break;
		} catch {
			// not listening yet
		}
		if (Date.now() > deadline) throw new Error(`the app did not answer /healthz:\n${log}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}

	return {
		origin,
		output: () => log,
		stop: async () => {
			if (child.exitCode === null) {
				const exited = new Promise((resolve) => child.once('exit', resolve));
				child.kill('SIGTERM');
				await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
				if (child.exitCode === null) child.kill('SIGKILL');
			}
			rmSync(dataDir, { recursive: true, force: true });
			await deleteRedisKeys(prefix, env.REDIS_URL);
		}
	};
}

async function deleteRedisKeys(prefix: string, url = 'redis://127.0.0.1:6379') {
	const redis = new Redis(url, {
		lazyConnect: true,
		maxRetriesPerRequest: 1,
		retryStrategy: () => null
	});
	redis.on('error', () => {});
	try {
		await redis.connect();
		let cursor = '0';
		do {
			const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
			cursor = next;
			if (keys.length) await redis.del(...keys);
		} while (cursor !== '0');
	} catch {
		// Redis not there: nothing of ours to delete.
	} finally {
		redis.disconnect();
	}
}
