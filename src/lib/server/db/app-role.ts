import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { APP_ROLE } from './roles';
import { migrations } from '../../../../db/migrations/index';

/*
 * Run time logs in to PostgreSQL as the app role itself (DATABASE_URL), never as the owner: a
 * role that is not a member of the owner cannot SET ROLE or RESET ROLE back to it (issue 8 §20).
 * The owner (DATABASE_OWNER_URL) migrates, then gives the app role LOGIN — and the password
 * DATABASE_URL carries — so one pair of URLs is the whole setup.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyKysely = Kysely<any>;

/** The role a connection logged in as (not the one a transaction may have switched to). */
export async function loginRole(db: AnyKysely): Promise<string> {
	const result = await sql<{ role: string }>`select session_user as role`.execute(db);
	return result.rows[0]!.role;
}

function appLogin(appUrl: string): { user: string; password: string | null } {
	const url = new URL(appUrl);
	return {
		user: decodeURIComponent(url.username),
		password: url.password ? decodeURIComponent(url.password) : null
	};
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * As the owner, once migrated: lets `certtrack_app` log in with DATABASE_URL's password (none:
 * the server's authentication decides, e.g. trust in the tests). Refuses an app role that could
 * become the owner or bypass row-level security.
 */
export async function enableAppLogin(owner: AnyKysely, appUrl: string): Promise<void> {
	const { user, password } = appLogin(appUrl);
	if (user !== APP_ROLE)
		throw new Error(
			`DATABASE_URL must log in as ${APP_ROLE} when DATABASE_OWNER_URL is set (it names ${user || 'no user'})`
		);
	// Roles are cluster-wide: parallel test databases may alter it at the same moment, which
	// PostgreSQL answers with "tuple concurrently updated"; the next try sees the change.
	for (let attempt = 1; ; attempt++) {
		try {
			const row = (
				await sql<{
					rolcanlogin: boolean;
					rolsuper: boolean;
					rolbypassrls: boolean;
					in_owner: boolean;
				}>`select rolcanlogin, rolsuper, rolbypassrls, pg_has_role(rolname, current_user, 'member') as in_owner
				   from pg_roles where rolname = ${APP_ROLE}`.execute(owner)
			).rows[0];
			if (!row) throw new Error(`the role ${APP_ROLE} does not exist: the migrations create it`);
			if (row.rolsuper || row.rolbypassrls || row.in_owner)
				throw new Error(
					`${APP_ROLE} must not be a superuser, bypass row-level security or be a member of the owner: fix the role before the app logs in with it`
				);
			if (row.rolcanlogin && password === null) return;
			const withPassword = password === null ? '' : ` password ${pg.escapeLiteral(password)}`;
			await sql.raw(`alter role ${APP_ROLE} with login${withPassword}`).execute(owner);
			return;
		} catch (error) {
			const message = error instanceof Error ? error.message : '';
			if (attempt >= 5 || !message.includes('concurrently')) throw error;
			await sleep(50 * attempt);
		}
	}
}

const LATEST_MIGRATION = Object.keys(migrations).sort().at(-1)!;

/**
 * Connected as the app role, which cannot migrate: refuses to start on a schema the owner has
 * not migrated to this version (`npm run db:migrate` with DATABASE_OWNER_URL).
 */
export async function requireMigratedSchema(app: AnyKysely): Promise<void> {
	let latest: string | null = null;
	try {
		const result = await sql<{
			name: string | null;
		}>`select max(name) as name from kysely_migration`.execute(app);
		latest = result.rows[0]?.name ?? null;
	} catch {
		latest = null;
	}
	if (latest === null || latest < LATEST_MIGRATION)
		throw new Error(
			`the database is migrated to ${latest ?? 'nothing'}, this version needs ${LATEST_MIGRATION}: ` +
				`DATABASE_URL logs in as ${APP_ROLE}, which cannot migrate; run \`npm run db:migrate\` with DATABASE_OWNER_URL set to the owner`
		);
}

/** A failed first login of the app role, explained (it gets LOGIN from the owner's migrate). */
export function explainAppLoginFailure(error: unknown): unknown {
	const code = (error as { code?: unknown } | null)?.code;
	// 28000: "role … is not permitted to log in"; 28P01: wrong password.
	if (code !== '28000' && code !== '28P01') return error;
	const message = error instanceof Error ? error.message : String(error);
	return new Error(
		`${message}: ${APP_ROLE} gets LOGIN and its password from \`npm run db:migrate\` run with DATABASE_OWNER_URL (the owner) and DATABASE_URL (this role) both set`,
		{ cause: error }
	);
}
