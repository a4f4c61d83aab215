import { startApp } from '../src/lib/server/app';
import { startWorkers } from './worker';

/* `npm run worker`: the job workers alone, for production next to stateless web processes. */
if (!process.env.DATABASE_URL) {
	console.error(
		'npm run worker needs DATABASE_URL: the embedded database belongs to one process, and `npm start` already runs the workers inside it.'
	);
	process.exit(1);
}
const app = await startApp();
const workers = await startWorkers(app);
console.log('CertTrack workers running; press Ctrl+C to stop.');

const stop = async () => {
	await workers.close();
	await app.close();
	process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
