import { join } from 'node:path';
import { readConfig, type AppConfig } from './config';
import { connectPglite, connectPostgres, type DatabaseConnection } from './db/connection';
import { AppDatabase } from './db/tenant-scope';
import { copyPgliteTemplate, findPgliteTemplate } from './db/pglite-template';
import { connectRedis, type RedisStatus } from './redis';
import { createSignInLimiter, type SignInLimiter } from './auth/rate-limit';
import { sessionPolicy, type SessionPolicy } from './services/sessions';
import { migrateToLatest } from '../../../db/migrate';
import { isDatabaseEmpty, loadDemoData } from '../../../db/seed/demo';

/** Everything a request or a job needs, created once per process. */
export interface App {
	config: AppConfig;
	db: AppDatabase;
	redis: RedisStatus | null;
	limiter: SignInLimiter;
	sessionPolicy: SessionPolicy;
	/** Whether the database answers within `timeoutMs` (default 800), outside the pool; for /healthz. */
	pingDatabase(timeoutMs?: number): Promise<boolean>;
	close(): Promise<void>;
}

export interface StartOptions {
	config?: AppConfig;
	/** Use this connection instead of the configured one (tests). */
	connection?: DatabaseConnection;
	/** Skip Redis entirely (tests of the fallback). */
	redis?: RedisStatus | null;
	log?: (message: string) => void;
}

export function openConfiguredDatabase(
	config: AppConfig,
	overrides: { statementTimeoutMs?: number } = {}
): DatabaseConnection {
	return config.databaseUrl
		? connectPostgres(config.databaseUrl, {
				max: config.database.poolSize,
				connectTimeoutMs: config.database.connectTimeoutMs,
				statementTimeoutMs: overrides.statementTimeoutMs ?? config.database.statementTimeoutMs,
				idleInTransactionTimeoutMs: config.database.idleInTransactionTimeoutMs
			})
		: connectEmbedded(join(config.dataDir, 'pglite'));
}

/** The embedded database; a first start begins from the build's migrated template. */
function connectEmbedded(dataDir: string): DatabaseConnection {
	// PGLITE_TEMPLATE=off: initdb as before the template (npm run bench:start compares the two).
	if (process.env.PGLITE_TEMPLATE !== 'off') copyPgliteTemplate(dataDir, findPgliteTemplate());
	return connectPglite(dataDir);
}

/**
 * Connects, migrates and, on the embedded default's first start, loads the demo data. Demo data
 * never goes into a DATABASE_URL database unless `npm run db:seed` is run.
 */
export async function startApp(options: StartOptions = {}): Promise<App> {
	const config = options.config ?? readConfig();
	const log = options.log ?? console.log;
	const connection = options.connection ?? openConfiguredDatabase(config);
	await migrateToLatest(connection.kysely);
	if (
		connection.kind === 'pglite' &&
		!config.databaseUrl &&
		(await isDatabaseEmpty(connection.kysely))
	) {
		await loadDemoData(connection.kysely, new AppDatabase(connection));
		log('Loaded the demo data into the embedded database (see README for the demo sign-ins).');
	}
	const redis =
		options.redis !== undefined
			? options.redis
			: connectRedis({ url: config.redisUrl, log: console.warn });
	const db = new AppDatabase(connection);
	return {
		config,
		db,
		redis,
		limiter: createSignInLimiter({ redis, prefix: config.redisPrefix }),
		sessionPolicy: sessionPolicy(config.sessionDays),
		pingDatabase: (timeoutMs = 800) => connection.ping(timeoutMs),
		close: async () => {
			await redis?.close();
			await connection.close();
		}
	};
}
