// `npm start`: builds the app when no build is present, then serves web pages and runs the job
// workers in this one process (WORKERS=off leaves the workers to `npm run worker`).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
// Shutdown and upload limits, the same as a direct `node build/index.js` gets.
import './server-defaults.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'build', 'index.js');

if (!existsSync(entry)) {
	console.log('No build found: building the app once (about a minute)…');
	const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
	if (build.status !== 0) {
		console.error('The build failed; see the messages above.');
		process.exit(build.status ?? 1);
	}
}

process.env.PORT ??= '3000';
process.env.ORIGIN ??= `http://localhost:${process.env.PORT}`;
// The embedded database and evidence live under ./data unless told otherwise.
process.env.DATA_DIR ??= join(root, 'data');
console.log(`CertTrack is starting at ${process.env.ORIGIN}`);
await import(entry);
