import { resolve } from 'node:path';

export interface AppConfig {
	/** Unset: the embedded PGlite database under dataDir. */
	databaseUrl: string | null;
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

export function readConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
	const dataDir = resolve(env.DATA_DIR ?? './data');
	return {
		databaseUrl: env.DATABASE_URL || null,
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
