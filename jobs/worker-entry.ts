import { startApp, type App } from '../src/lib/server/app';
import {
	armShutdownBound,
	describeError,
	exitOnFatalErrors,
	runStopSteps,
	shutdownBoundMs
} from '../src/lib/server/runtime';
import { startWorkers, type RunningWorkers } from './worker';

/* `npm run worker`: the job workers alone, for production next to stateless web processes. */
if (!process.env.DATABASE_URL) {
	console.error(
		'npm run worker needs DATABASE_URL: the embedded database belongs to one process, and `npm start` already runs the workers inside it.'
	);
	process.exit(1);
}
exitOnFatalErrors('worker');

const boundMs = shutdownBoundMs();
let app: App | null = null;
let workers: RunningWorkers | null = null;
let stopping = false;

// Installed before anything connects: a stop while the database or Redis is still being waited
// for is bounded too.
const stop = async (signal: NodeJS.Signals) => {
	if (stopping) {
		console.error(`${signal} again: exiting now`);
		process.exit(1);
	}
	stopping = true;
	console.log(`${new Date().toISOString()} worker: ${signal}: stopping (bound ${boundMs} ms)`);
	armShutdownBound('worker', boundMs);
	await runStopSteps([
		{
			name: 'the job workers',
			run: async () => workers?.close({ withinMs: boundMs * 0.7 }),
			ms: boundMs * 0.75
		},
		{ name: 'Redis and the database pool', run: async () => app?.close(), ms: boundMs * 0.2 }
	]);
	console.log(`${new Date().toISOString()} worker: stopped`);
	process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

try {
	app = await startApp();
	if (!stopping) workers = await startWorkers(app);
} catch (error) {
	console.error(`worker: could not start: ${describeError(error)}`);
	process.exit(1);
}
if (!stopping) console.log('CertTrack workers running; press Ctrl+C to stop.');
