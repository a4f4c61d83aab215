// `npm run bench:start` (after `npm run build`): how long the built app takes to answer /healthz
// on the embedded database, the CPU time it spent by then (user + system, from /proc: on a
// shared, loaded machine the wall time mostly measures the others' work) and its peak resident
// memory (VmHWM), for a first start on an empty data directory and a restart on the same one:
// with initdb (PGLITE_TEMPLATE=off) and from the build's template, back to back in one run.
// Prints, asserts nothing (issue 9 item 4).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
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

// Linux counts /proc/<pid>/stat times in USER_HZ ticks, 100 a second on every usual kernel.
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds of `pid` so far (fields 14 and 15 of /proc/<pid>/stat). */
function cpuSeconds(pid) {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	// The command name may hold spaces; the fields after it are plain.
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
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
	const cpu = cpuSeconds(child.pid);
	peak = Math.max(peak, peakRssMb(child.pid));
	const exited = new Promise((resolve) => child.once('exit', resolve));
	child.kill('SIGTERM');
	await exited;
	return { seconds, cpu, peak };
}

const line = (label, { seconds, cpu, peak }) =>
	`${label.padEnd(44)} ${seconds.toFixed(2).padStart(6)} s to /healthz, CPU ${cpu.toFixed(2).padStart(5)} s, peak RSS ${peak.toFixed(0).padStart(4)} MB`;

for (let run = 1; run <= runs; run++) {
	// The machine's load when the run began: the wall times are only comparable within a run.
	console.log(
		`run ${run} (load average ${loadavg()
			.map((n) => n.toFixed(2))
			.join(', ')})`
	);
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
			`CPU ${(after.first.cpu / before.first.cpu).toFixed(2)}, ` +
			`peak RSS ${(after.first.peak / before.first.peak).toFixed(2)}; restart: time ${(after.again.seconds / before.again.seconds).toFixed(2)}`
	);
}
