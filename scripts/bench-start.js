// `npm run bench:start` (after `npm run build`): how long the built app takes to answer /healthz
// on the embedded database, and its peak resident memory by then (VmHWM), for a first start on
// an empty data directory and a restart on the same one: with initdb (PGLITE_TEMPLATE=off) and
// from the build's template, back to back in one run. Prints, asserts nothing (issue 9 item 4).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.RUNS ?? 1);
const results = [];

function freePort() {
	return new Promise((resolve) => {
		const server = createServer().listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

function peakRssMb(pid) {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
	return kb / 1024;
}

async function startOnce(dataDir, extraEnv = {}) {
	const port = await freePort();
	const started = performance.now();
	const child = spawn(process.execPath, ['build/index.js'], {
		cwd: root,
		env: {
			...process.env,
			DATABASE_URL: '',
			PORT: String(port),
			HOST: '127.0.0.1',
			ORIGIN: `http://127.0.0.1:${port}`,
			DATA_DIR: dataDir,
			REDIS_URL: 'redis://127.0.0.1:1',
			WORKERS: 'off',
			...extraEnv
		},
		stdio: ['ignore', 'ignore', 'pipe']
	});
	let stderr = '';
	child.stderr.on('data', (chunk) => (stderr += chunk));
	let peak = 0;
	for (;;) {
		if (child.exitCode !== null) throw new Error(`the app exited early:\n${stderr}`);
		try {
			peak = Math.max(peak, peakRssMb(child.pid));
		} catch {
			// not there yet
		}
		try {
			const response = await fetch(`http://127.0.0.1:${port}/healthz`);
			if (response.ok) break;
		} catch {
			// not listening yet
		}
		await new Promise((resolve) => setTimeout(resolve, 25));
	}
	const seconds = (performance.now() - started) / 1000;
	peak = Math.max(peak, peakRssMb(child.pid));
	const exited = new Promise((resolve) => child.once('exit', resolve));
	child.kill('SIGTERM');
	await exited;
	return { seconds, peak };
}

const line = (label, { seconds, peak }) =>
	`${label.padEnd(30)} ${seconds.toFixed(2).padStart(6)} s to /healthz, peak RSS ${peak.toFixed(0).padStart(4)} MB`;

for (let run = 1; run <= runs; run++) {
	console.log(`run ${run}`);
	for (const [label, env] of [
		['initdb (PGLITE_TEMPLATE=off)', { PGLITE_TEMPLATE: 'off' }],
		['from the build template', {}]
	]) {
		const dataDir = mkdtempSync(join(tmpdir(), 'certtrack-bench-start-'));
		try {
			const first = await startOnce(dataDir, env);
			const again = await startOnce(dataDir, env);
			console.log(line(`first start, ${label}`, first));
			console.log(line(`restart, ${label}`, again));
			results.push({ label, first, again });
		} finally {
			rmSync(dataDir, { recursive: true, force: true });
		}
	}
	const [before, after] = results.slice(-2);
	console.log(
		`first start with the template / without: time ${(after.first.seconds / before.first.seconds).toFixed(2)}, ` +
			`peak RSS ${(after.first.peak / before.first.peak).toFixed(2)}; restart: time ${(after.again.seconds / before.again.seconds).toFixed(2)}`
	);
}
