import { join } from 'node:path';
import { readConfig, type AppConfig } from './config';
import { connectPglite, connectPostgres, type DatabaseConnection } from './db/connection';
import { AppDatabase } from './db/tenant-scope';
import { copyPgliteTemplate, findPgliteTemplate } from './db/pglite-template';
import {
	enableAppLogin,
	explainAppLoginFailure,
	loginRole,
	requireMigratedSchema
} from './db/app-role';
import { APP_ROLE } from './db/roles';
import { connectRedis, type RedisStatus } from './redis';
import { createSignInLimiter, type SignInLimiter } from './auth/rate-limit';
import { sessionPolicy, type SessionPolicy } from './services/sessions';
import { migrateToLatest } from '../../../db/migrate';
import { isDatabaseEmpty, loadDemoData } from '../../../db/seed/demo';
import { shiftDemoTemplate } from '../../../db/seed/demo-template';

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
 * Migrates as the owner, then checks what DATABASE_URL logs in as:
 * - DATABASE_OWNER_URL set: the owner migrates and gives `certtrack_app` LOGIN (and DATABASE_URL's
 *   password); DATABASE_URL must be that role.
 * - DATABASE_URL is `certtrack_app` and no owner URL (compose's web and worker): it cannot
 *   migrate, so it checks the owner's `migrate` has run.
 * - DATABASE_URL is the owner (no owner URL; a development setup): it migrates, and transactions
 *   switch to `certtrack_app` (SET ROLE) as on the embedded PGlite, whose one user is the owner —
 *   RLS and the SECURITY DEFINER functions apply the same, but the connection could RESET ROLE.
 */
export async function prepareSchema(
	config: AppConfig,
	connection: DatabaseConnection,
	log: (message: string) => void = console.log
): Promise<void> {
	if (connection.kind === 'pglite') {
		await migrateToLatest(connection.kysely);
		return;
	}
	if (config.databaseOwnerUrl) {
		const owner = connectPostgres(config.databaseOwnerUrl, {
			max: 1,
			connectTimeoutMs: config.database.connectTimeoutMs,
			statementTimeoutMs: 0
		});
		try {
			await migrateToLatest(owner.kysely);
			if (config.databaseUrl) await enableAppLogin(owner.kysely, config.databaseUrl);
		} finally {
			await owner.close();
		}
	}
	const role = await loginRole(connection.kysely).catch((error: unknown) => {
		throw explainAppLoginFailure(error);
	});
	if (role === APP_ROLE) {
		await requireMigratedSchema(connection.kysely);
		return;
	}
	await migrateToLatest(connection.kysely);
	if (config.databaseUrl)
		log(
			`Warning: DATABASE_URL logs in as ${role}, the schema's owner; each transaction switches to ${APP_ROLE}, but the connection could switch back. Set DATABASE_OWNER_URL to the owner and DATABASE_URL to ${APP_ROLE} (README, Configuration).`
		);
}

/**
 * Connects, migrates and, on the embedded default's first start, brings in the demo data: the
 * build's template holds it as of its reference day and is moved to today before migrating (so
 * migrations added since see what an installation loaded today would have); a database from
 * initdb (no template, PGLITE_TEMPLATE=off) gets it through the services after migrating. Demo
 * data never goes into a DATABASE_URL database unless `npm run db:seed` is run.
 */
export async function startApp(options: StartOptions = {}): Promise<App> {
	const config = options.config ?? readConfig();
	const log = options.log ?? console.log;
	const connection = options.connection ?? openConfiguredDatabase(config);
	const embedded = connection.kind === 'pglite' && !config.databaseUrl;
	if (embedded && (await shiftDemoTemplate(connection.kysely)))
		log('Moved the demo data to today (see README for the demo sign-ins).');
	await prepareSchema(config, connection, log);
	if (embedded && (await isDatabaseEmpty(connection.kysely))) {
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
