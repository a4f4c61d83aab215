import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './server';

/*
 * A PostgreSQL server of a test's own — its own data directory under a temp dir and its own
 * port — that the test may stop, restart and kill. The shared server on 5432 is never touched.
 * As root, the server runs as the `postgres` user (PostgreSQL refuses to run as root).
 */

const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PrivatePostgres {
	port: number;
	/** postgres://… of `database` on this server. */
	url(database?: string): string;
	start(): void;
	/** pg_ctl stop -m fast: connections are ended, then the server stops. */
	stop(): void;
	/** A fast restart (stop -m fast, start). */
	restart(): void;
	/** pg_terminate_backend of every connection to `database` but the caller's. */
	terminateConnections(database: string): Promise<number>;
	/** The server's log (for a failing test's message). */
	log(): string;
	/** Stops the server (immediately) and removes its directory. */
	destroy(): void;
}

function runAsOwner(command: string, args: string[]): string {
	const asRoot = process.getuid?.() === 0;
	const [file, argv] = asRoot
		? ['runuser', ['-u', 'postgres', '--', join(BIN, command), ...args]]
		: [join(BIN, command), args];
	return execFileSync(file, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
	if (!existsSync(join(BIN, 'initdb'))) throw new Error(`no PostgreSQL binaries in ${BIN}`);
	const root = mkdtempSync(join(tmpdir(), 'certtrack-private-pg-'));
	const data = join(root, 'data');
	const logFile = join(root, 'server.log');
	if (process.getuid?.() === 0) {
		const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
		const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
		chownSync(root, uid, gid);
	}
	const port = await freePort();
	runAsOwner('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
	const options = [
		`-p ${port}`,
		`-k ${root}`,
		'-c listen_addresses=127.0.0.1',
		'-c fsync=off',
		'-c synchronous_commit=on',
		'-c full_page_writes=off',
		'-c max_connections=100'
	].join(' ');
	const ctl = (...args: string[]) => runAsOwner('pg_ctl', ['-D', data, '-l', logFile, ...args]);
	let running = false;
	const server: PrivatePostgres = {
		port,
		url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
		start() {
			ctl('-o', options, '-w', '-t', '30', 'start');
			running = true;
		},
		stop() {
			ctl('-m', 'fast', '-w', '-t', '30', 'stop');
			running = false;
		},
		restart() {
			ctl('-o', options, '-m', 'fast', '-w', '-t', '30', 'restart');
			running = true;
		},
		async terminateConnections(database) {
			const client = new pg.Client({ connectionString: server.url('postgres') });
			client.on('error', () => {});
			await client.connect();
			try {
				const { rows } = await client.query(
					`select count(*) filter (where pg_terminate_backend(pid)) as n
					   from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`,
					[database]
				);
				return Number(rows[0].n);
			} finally {
				await client.end();
			}
		},
		log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
		destroy() {
			try {
				if (running) ctl('-m', 'immediate', '-w', '-t', '30', 'stop');
			} catch {
				// already stopped
			}
			rmSync(root, { recursive: true, force: true });
		}
	};
	try {
		server.start();
	} catch (error) {
		rmSync(root, { recursive: true, force: true });
		throw error;
	}
	return server;
}
