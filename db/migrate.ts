import { Migrator, type Kysely } from 'kysely';
import { migrationProvider } from './migrations/index';

/** Applies every pending migration; throws with the failing migration's name and cause. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
	const migrator = new Migrator({ db, provider: migrationProvider });
	const { error, results } = await migrator.migrateToLatest();
	const failed = results?.find((result) => result.status === 'Error');
	if (error) {
		const cause = error instanceof Error ? error.message : String(error);
		throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${cause}`, {
			cause: error
		});
	}
	return (results ?? []).map((result) => result.migrationName);
}
