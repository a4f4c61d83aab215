import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { SMTPServer } from 'smtp-server';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { testApp } from '../support/factories';
import { newWorkflowWorld, type WorkflowWorld } from '../support/workflow-factories';
import { buildApp, freePort } from '../support/server';
import { enqueueMessage } from '../../src/lib/server/mail/outbox';
import { createMailTransport } from '../../src/lib/server/mail/transport';
import { connectRedis } from '../../src/lib/server/redis';
import { startWorkers } from '../../jobs/worker';
import { definitions } from '../../jobs/registry';
import { redisOptions } from '../../jobs/producer';

/*
 * Issue 8, items 3–5: an empty Redis gets its Job Schedulers back without a restart of the app,
 * and SIGTERM stops the worker and the web process within the bound with Redis gone. Every
 * Redis here is private (own port, own temp dir, no persistence); the shared one is never touched.
 */

const ROOT = process.cwd();

async function until(check: () => Promise<boolean> | boolean, ms: number) {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		if (await check()) return;
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	throw new Error('condition not met in time');
}

/** A private, memory-only redis-server: a restart starts it empty. */
async function privateRedis() {
	const port = await freePort();
	const dir = await mkdtemp(join(tmpdir(), 'ct-ops-redis-'));
	const url = `redis://127.0.0.1:${port}`;
	let server: ChildProcess | null = null;
	const start = async () => {
		server = spawn(
			'redis-server',
			['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
			{ cwd: dir, stdio: 'ignore' }
		);
		const probe = connectRedis({ url, log: () => {} });
		try {
			await until(() => probe.available(), 10_000);
		} finally {
			await probe.close();
		}
	};
	const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
		const running = server;
		server = null;
		if (!running || running.exitCode !== null) return;
		await new Promise((resolve) => {
			running.once('exit', resolve);
			running.kill(signal);
		});
	};
	await start();
	return {
		url,
		start,
		stop,
		dispose: async () => {
			await stop('SIGKILL');
			await rm(dir, { recursive: true, force: true });
		}
	};
}

/**
 * A private PostgreSQL (own data directory and port, run as the postgres user since initdb
 * refuses root): the shared server is never stopped.
 */
async function privatePostgres() {
	const port = await freePort();
	const dir = await mkdtemp(join(tmpdir(), 'ct-ops-pg-'));
	const data = join(dir, 'data');
	const asPostgres = (args: string[]) =>
		process.getuid?.() === 0
			? (['runuser', ['-u', 'postgres', '--', ...args]] as const)
			: ([args[0]!, args.slice(1)] as const);
	if (process.getuid?.() === 0) execFileSync('chown', ['postgres', dir]);
	const [initCmd, initArgs] = asPostgres([
		'initdb',
		'-D',
		data,
		'-A',
		'trust',
		'-U',
		'postgres',
		'--no-sync'
	]);
	const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' });
	if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
	const [cmd, args] = asPostgres([
		'postgres',
		'-D',
		data,
		'-p',
		String(port),
		'-k',
		dir,
		'-c',
		'listen_addresses=127.0.0.1',
		'-c',
		'fsync=off'
	]);
	const server = spawn(cmd, args, { stdio: 'ignore' });
	const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
	await until(
		() => spawnSync('pg_isready', ['-h', '127.0.0.1', '-p', String(port)]).status === 0,
		30_000
	);
	const stop = () => {
		const [c, a] = asPostgres(['pg_ctl', 'stop', '-D', data, '-m', 'immediate']);
		spawnSync(c, a, { encoding: 'utf8' });
	};
	return {
		url,
		stop,
		dispose: async () => {
			stop();
			server.kill('SIGKILL');
			await rm(dir, { recursive: true, force: true });
		}
	};
}

async function startSmtp() {
	const received: string[] = [];
	const server = new SMTPServer({
		authOptional: true,
		disabledCommands: ['STARTTLS', 'AUTH'],
		logger: false,
		onData(stream, session, callback) {
			stream.on('data', () => {});
			stream.on('end', () => {
				received.push(...session.envelope.rcptTo.map((r) => r.address));
				callback();
			});
		}
	});
	server.on('error', () => {});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.server.address() as { port: number }).port;
	return {
		received,
		url: `smtp://127.0.0.1:${port}`,
		close: () => new Promise<void>((resolve) => server.close(() => resolve()))
	};
}

async function writeMessages(t: TestDatabase, world: WorkflowWorld, count: number, tag: string) {
	await t.db.inTenant({ tenantId: world.tenantId, userId: null }, async (tx) => {
		for (let i = 0; i < count; i++)
			await enqueueMessage(tx, {
				tenantId: world.tenantId,
				template: 'finding.plan_accepted',
				recipients: [{ email: `${tag}-${i}@org.test`, name: `Person ${i}`, locale: 'en' }],
				params: { reference: `NC-${tag}-${i}`, dueOn: '2027-01-15' },
				link: `/findings/${i}`
			});
	});
}

/** Every job the registry schedules (all on the chase queue), as the worker should assert them. */
const SCHEDULED = definitions
	.filter((definition) => definition.schedule)
	.map((definition) => definition.name)
	.sort();

async function schedulerIds(url: string, prefix: string): Promise<string[]> {
	const queue = new Queue('chase', { connection: redisOptions(url), prefix });
	try {
		return (await queue.getJobSchedulers()).map((s) => s.key).sort();
	} finally {
		await queue.close();
	}
}

/** Spawns a process and records its output, its exit code and when it exited. */
function run(args: string[], env: Record<string, string>) {
	let output = '';
	const child = spawn(process.execPath, args, {
		cwd: ROOT,
		env: { ...process.env, ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
		child.once('exit', (code) => resolve({ code, at: Date.now() }))
	);
	return { child, exited, output: () => output };
}

describe('Job Schedulers after Redis restarts empty (postgres)', () => {
	let t: TestDatabase;
	let world: WorkflowWorld;
	beforeAll(async () => {
		t = await createTestDatabase('postgres');
		world = await newWorkflowWorld(t);
	});
	afterAll(() => t?.drop());

	it('re-asserts the schedulers on reconnect and mail flows again within a minute, without restarting the worker', async () => {
		const redis = await privateRedis();
		const smtp = await startSmtp();
		const prefix = `{ct-ops-${randomBytes(4).toString('hex')}}`;
		const transport = createMailTransport({
			smtpUrl: smtp.url,
			mailFrom: 'ct@test',
			dataDir: '/tmp'
		});
		// Nobody asks for these deliveries: only the scheduled clock's sweep sends them.
		await writeMessages(t, world, 2, 'before');
		const workers = await startWorkers(testApp(t), {
			prefix,
			redisUrl: redis.url,
			transport,
			log: () => {}
		});
		const sent = (tag: string) => smtp.received.filter((to) => to.startsWith(`${tag}-`)).length;
		try {
			expect(await schedulerIds(redis.url, prefix)).toEqual(SCHEDULED);
			await until(() => sent('before') === 2, 30_000);

			await redis.stop();
			await writeMessages(t, world, 3, 'after');
			await redis.start();
			const restarted = Date.now();
			// Empty, and the worker process was not restarted: the schedulers come back by themselves.
			await until(
				async () => (await schedulerIds(redis.url, prefix)).length === SCHEDULED.length,
				30_000
			);
			expect(await schedulerIds(redis.url, prefix)).toEqual(SCHEDULED);
			await until(() => sent('after') === 3, 60_000);
			console.info(`Redis restarted empty: mail flowing again after ${Date.now() - restarted} ms`);
			expect(Date.now() - restarted).toBeLessThan(60_000);
			expect(sent('before')).toBe(2);
		} finally {
			await workers.close({ withinMs: 5_000 });
			await smtp.close();
			await redis.dispose();
		}
	}, 120_000);

	it('re-asserts on its timer too: a scheduler removed while Redis stays up comes back', async () => {
		const redis = await privateRedis();
		const prefix = `{ct-ops-${randomBytes(4).toString('hex')}}`;
		const transport = createMailTransport({ smtpUrl: null, mailFrom: 'ct@test', dataDir: '/tmp' });
		const workers = await startWorkers(testApp(t), {
			prefix,
			redisUrl: redis.url,
			transport,
			reassertEveryMs: 1_000,
			log: () => {}
		});
		const queue = new Queue('chase', { connection: redisOptions(redis.url), prefix });
		try {
			expect(await queue.removeJobScheduler('chase.fanout')).toBe(true);
			expect(await schedulerIds(redis.url, prefix)).not.toContain('chase.fanout');
			await until(
				async () => (await schedulerIds(redis.url, prefix)).length === SCHEDULED.length,
				10_000
			);
			// Asserting again and again leaves one scheduler, not one per assertion.
			await new Promise((resolve) => setTimeout(resolve, 2_500));
			expect(await schedulerIds(redis.url, prefix)).toEqual(SCHEDULED);
		} finally {
			await queue.close();
			await workers.close({ withinMs: 5_000 });
			await redis.dispose();
		}
	}, 60_000);

	it('`npm run worker`: SIGTERM with its Redis killed exits 0 within the bound', async () => {
		const redis = await privateRedis();
		const prefix = `{ct-ops-${randomBytes(4).toString('hex')}}`;
		const worker = run(['--import', 'tsx', 'jobs/worker-entry.ts'], {
			DATABASE_URL: t.url!,
			REDIS_URL: redis.url,
			REDIS_PREFIX: prefix,
			SMTP_URL: '',
			SHUTDOWN_BOUND_MS: '10000'
		});
		try {
			await until(() => worker.output().includes('workers running'), 60_000).catch(() => {
				throw new Error(`the worker did not start:\n${worker.output()}`);
			});
			await redis.stop('SIGKILL');
			// Let it notice: its connections are reconnecting when the signal comes.
			await new Promise((resolve) => setTimeout(resolve, 1_000));
			const signalled = Date.now();
			worker.child.kill('SIGTERM');
			const exit = await Promise.race([
				worker.exited,
				new Promise<null>((resolve) => setTimeout(() => resolve(null), 20_000))
			]);
			expect(exit, worker.output()).not.toBeNull();
			expect(exit!.code, worker.output()).toBe(0);
			console.info(`npm run worker, Redis killed: SIGTERM → exit in ${exit!.at - signalled} ms`);
			expect(exit!.at - signalled).toBeLessThan(10_000);
			expect(worker.output()).toMatch(/worker: stopped/);
		} finally {
			worker.child.kill('SIGKILL');
			await redis.dispose();
		}
	}, 120_000);
});

describe('the web process (`npm start` build) with its Redis killed', () => {
	beforeAll(() => buildApp(), 300_000);

	it('SIGTERM exits 0 within the bound', async () => {
		const redis = await privateRedis();
		const port = await freePort();
		const dataDir = await mkdtemp(join(tmpdir(), 'ct-ops-web-'));
		const prefix = `{ct-ops-${randomBytes(4).toString('hex')}}`;
		const origin = `http://127.0.0.1:${port}`;
		// As scripts/start.js starts it (which sets SHUTDOWN_TIMEOUT for adapter-node), on the
		// embedded database in a fresh data directory.
		const web = run(['scripts/start.js'], {
			DATABASE_URL: '',
			PORT: String(port),
			HOST: '127.0.0.1',
			ORIGIN: origin,
			DATA_DIR: dataDir,
			REDIS_URL: redis.url,
			REDIS_PREFIX: prefix,
			SHUTDOWN_BOUND_MS: '10000'
		});
		const health = async () => {
			try {
				return (await (await fetch(`${origin}/healthz`)).json()) as { redis?: string };
			} catch {
				return {};
			}
		};
		try {
			await until(async () => (await health()).redis === 'ok', 90_000).catch(() => {
				throw new Error(`the app did not come up:\n${web.output()}`);
			});
			// The inline workers start through BullMQ a moment after Redis answers.
			await new Promise((resolve) => setTimeout(resolve, 3_000));
			await redis.stop('SIGKILL');
			await new Promise((resolve) => setTimeout(resolve, 1_000));
			const signalled = Date.now();
			web.child.kill('SIGTERM');
			const exit = await Promise.race([
				web.exited,
				new Promise<null>((resolve) => setTimeout(() => resolve(null), 20_000))
			]);
			expect(exit, web.output()).not.toBeNull();
			expect(exit!.code, web.output()).toBe(0);
			console.info(
				`web, Redis killed: SIGTERM → exit in ${exit!.at - signalled} ms\n${web
					.output()
					.split('\n')
					.filter((line) => /shutdown|web: /.test(line))
					.join('\n')}`
			);
			expect(exit!.at - signalled).toBeLessThan(10_000);
			expect(web.output()).toMatch(/web: stopped/);
		} finally {
			web.child.kill('SIGKILL');
			await redis.dispose();
			await rm(dataDir, { recursive: true, force: true });
		}
	}, 150_000);

	it('with PostgreSQL and Redis both gone, web and worker still exit 0 within the bound on SIGTERM', async () => {
		const pg = await privatePostgres();
		const redis = await privateRedis();
		const port = await freePort();
		const origin = `http://127.0.0.1:${port}`;
		const prefix = `{ct-ops-${randomBytes(4).toString('hex')}}`;
		const env = {
			DATABASE_URL: pg.url,
			REDIS_URL: redis.url,
			REDIS_PREFIX: prefix,
			SMTP_URL: '',
			SHUTDOWN_BOUND_MS: '10000'
		};
		const worker = run(['--import', 'tsx', 'jobs/worker-entry.ts'], env);
		const web = run(['scripts/start.js'], {
			...env,
			WORKERS: 'off',
			PORT: String(port),
			HOST: '127.0.0.1',
			ORIGIN: origin
		});
		try {
			await until(async () => {
				try {
					return (await fetch(`${origin}/healthz`)).ok;
				} catch {
					return false;
				}
			}, 90_000).catch(() => {
				throw new Error(`the app did not come up:\n${web.output()}`);
			});
			await until(() => worker.output().includes('workers running'), 60_000).catch(() => {
				throw new Error(`the worker did not start:\n${worker.output()}`);
			});
			pg.stop();
			await redis.stop('SIGKILL');
			// A request in flight while the database is gone: it gets an answer, not a hang.
			const inFlight = fetch(`${origin}/healthz`).then(
				(response) => response.status,
				() => 'no answer'
			);
			await new Promise((resolve) => setTimeout(resolve, 500));
			const signalled = Date.now();
			worker.child.kill('SIGTERM');
			web.child.kill('SIGTERM');
			const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), 20_000));
			const [workerExit, webExit] = await Promise.all([
				Promise.race([worker.exited, timeout]),
				Promise.race([web.exited, timeout])
			]);
			console.info(
				`PostgreSQL and Redis down: SIGTERM → worker exit ${workerExit?.code} in ${workerExit ? workerExit.at - signalled : '>20000'} ms, web in ${webExit ? webExit.at - signalled : '>20000'} ms; in-flight /healthz: ${await inFlight}`
			);
			expect(webExit?.code, web.output()).toBe(0);
			expect(webExit!.at - signalled).toBeLessThan(10_000);
			// The worker is gone within the bound either way. With the postgres.js driver a lost
			// connection rejects a promise nobody holds (issue 8 item 1, the driver being replaced):
			// the worker then logs it with its cause and exits 1 for the supervisor to restart it,
			// possibly before the signal. Once the driver is pg, only the clean 0 remains.
			expect(workerExit, worker.output()).not.toBeNull();
			if (workerExit!.code !== 0)
				expect(worker.output()).toMatch(
					/worker: fatal (uncaught exception|unhandled rejection), exiting: /
				);
			expect(workerExit!.code === 0 || workerExit!.code === 1, worker.output()).toBe(true);
			expect(workerExit!.at - signalled).toBeLessThan(10_000);
			expect(await inFlight).toBe(503);
		} finally {
			worker.child.kill('SIGKILL');
			web.child.kill('SIGKILL');
			await redis.dispose();
			await pg.dispose();
		}
	}, 240_000);
});

describe('past the bound, and fatal errors', () => {
	let dir: string;
	beforeAll(async () => {
		dir = await mkdtemp(join(tmpdir(), 'ct-ops-fatal-'));
	});
	afterAll(() => rm(dir, { recursive: true, force: true }));

	const script = async (name: string, body: string) => {
		const path = join(dir, name);
		await writeFile(
			path,
			`import { armShutdownBound, exitOnFatalErrors } from '${ROOT}/src/lib/server/runtime';\n${body}\n`
		);
		return run(['--import', 'tsx', path], {});
	};

	it('a stop that hangs past the bound exits 1 with a log line', async () => {
		const child = await script(
			'hang.mts',
			`process.on('SIGTERM', () => { armShutdownBound('worker', 500); /* never finishes */ });
setInterval(() => {}, 1000);
console.log('ready');`
		);
		await until(() => child.output().includes('ready'), 20_000);
		const signalled = Date.now();
		child.child.kill('SIGTERM');
		const exit = await child.exited;
		expect(exit.code).toBe(1);
		expect(exit.at - signalled).toBeLessThan(3_000);
		expect(child.output()).toMatch(/shutdown did not finish within 500 ms; exiting with code 1/);
	}, 30_000);

	it('an uncaught exception is logged with its cause and exits 1', async () => {
		const child = await script(
			'throw.mts',
			`exitOnFatalErrors('web');
setTimeout(() => { throw new Error('handler broke', { cause: new Error('socket was null') }); }, 10);
setInterval(() => {}, 1000);`
		);
		const exit = await child.exited;
		expect(exit.code).toBe(1);
		expect(child.output()).toMatch(/web: fatal uncaught exception, exiting: Error: handler broke/);
		expect(child.output()).toMatch(/caused by: Error: socket was null/);
	}, 30_000);

	it('an unhandled rejection is logged and exits 1', async () => {
		const child = await script(
			'reject.mts',
			`exitOnFatalErrors('worker');
void Promise.reject(new Error('nobody caught this'));
setInterval(() => {}, 1000);`
		);
		const exit = await child.exited;
		expect(exit.code).toBe(1);
		expect(child.output()).toMatch(
			/worker: fatal unhandled rejection, exiting: Error: nobody caught this/
		);
	}, 30_000);
});
