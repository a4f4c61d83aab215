import { resolve } from 'node:path';

export interface AppConfig {
	/** Unset: the embedded PGlite database under dataDir. */
	databaseUrl: string | null;
	/**
	 * DATABASE_OWNER_URL: the owner of the schema, for migrations and the demo load; DATABASE_URL
	 * is then the app role `certtrack_app`. Unset: DATABASE_URL migrates too.
	 */
	databaseOwnerUrl: string | null;
	/** The PostgreSQL pool (DATABASE_URL only; the embedded database has one connection). */
	database: DatabasePoolConfig;
	dataDir: string;
	redisUrl: string;
	/** Unset: emails are written as .eml files under dataDir/mail instead of sent. */
	smtpUrl: string | null;
	mailFrom: string;
	evidenceDir: string;
	/** The largest evidence file accepted, in bytes (EVIDENCE_MAX_MB, default 25). */
	evidenceMaxBytes: number;
	/** Prefix of every Redis key and BullMQ queue; braces make it one Redis Cluster hash slot. */
	redisPrefix: string;
	sessionDays: number;
	/** Run the job workers inside the web process (npm start) rather than separately. */
	inlineWorkers: boolean;
	secureCookies: boolean;
}

export interface DatabasePoolConfig {
	/** DB_POOL_SIZE: connections per process. */
	poolSize: number;
	/** DB_CONNECT_TIMEOUT_MS: the longest a request waits for a connection (new or pooled). */
	connectTimeoutMs: number;
	/** DB_STATEMENT_TIMEOUT_MS: PostgreSQL's statement_timeout; 0 is no limit. */
	statementTimeoutMs: number;
	/** DB_IDLE_TX_TIMEOUT_MS: idle_in_transaction_session_timeout; 0 is no limit. */
	idleInTransactionTimeoutMs: number;
}

/** A whole number ≥ `min` from the environment, else the default (a typo never means 0). */
function whole(value: string | undefined, fallback: number, min = 0): number {
	if (value === undefined || value.trim() === '') return fallback;
	const parsed = Number(value);
	return Number.isInteger(parsed) && parsed >= min ? parsed : fallback;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
	const dataDir = resolve(env.DATA_DIR ?? './data');
	return {
		databaseUrl: env.DATABASE_URL || null,
		databaseOwnerUrl: env.DATABASE_OWNER_URL || null,
		database: {
			poolSize: whole(env.DB_POOL_SIZE, 10, 1),
			connectTimeoutMs: whole(env.DB_CONNECT_TIMEOUT_MS, 5_000, 1),
			statementTimeoutMs: whole(env.DB_STATEMENT_TIMEOUT_MS, 30_000),
			idleInTransactionTimeoutMs: whole(env.DB_IDLE_TX_TIMEOUT_MS, 60_000)
		},
		dataDir,
		redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
		smtpUrl: env.SMTP_URL || null,
		mailFrom: env.MAIL_FROM || 'CertTrack <no-reply@certtrack.local>',
		evidenceDir: resolve(env.EVIDENCE_DIR ?? `${dataDir}/evidence`),
		evidenceMaxBytes: Math.round(Number(env.EVIDENCE_MAX_MB ?? 25) * 1024 * 1024),
		redisPrefix: env.REDIS_PREFIX || '{certtrack}',
		sessionDays: Number(env.SESSION_DAYS ?? 30),
		inlineWorkers: env.WORKERS !== 'off',
		secureCookies: (env.ORIGIN ?? '').startsWith('https://')
	};
}
