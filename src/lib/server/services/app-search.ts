import type { z } from 'zod';
import type { AppDatabase } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import { can, mayEver } from '../domain/permissions';
import { NO_ORGANISATION } from '../domain/roles';
import * as repo from '../repositories/app-search';
import { authorize } from './authorize';
import { REPORT_ISSUED } from './finding-access';
import { SEARCH_MIN_LENGTH, type appSearchSchema } from './app-search.schema';

/* The header's search across the app (issue 11 §5): results grouped by kind, within what the actor sees. */

/** How many results of each kind the page shows. */
export const SEARCH_GROUP_SIZE = 10;

type Group<Row> = { rows: Row[]; more: boolean };
const group = <Row>(rows: Row[]): Group<Row> => ({
	rows: rows.slice(0, SEARCH_GROUP_SIZE),
	more: rows.length > SEARCH_GROUP_SIZE
});

export async function searchApp(
	db: AppDatabase,
	actor: Actor,
	input: z.output<typeof appSearchSchema>
) {
	authorize(actor, 'search.app');
	const text = input.q;
	if (text.length < SEARCH_MIN_LENGTH) return { q: text, tooShort: true as const, groups: null };
	const everyOrganisation = mayEver(actor, 'organisation.readAll');
	const scope: repo.SearchScope = {
		text,
		limit: SEARCH_GROUP_SIZE + 1,
		organisationId: everyOrganisation ? null : (actor.organisationId ?? NO_ORGANISATION),
		// An organisation sees a finding once its report is issued: the finding pages' rule.
		released: everyOrganisation ? null : REPORT_ISSUED
	};
	// Evaluations are the body's records; an organisation finds its findings and certificates.
	const evaluations = can(actor, 'evaluation.read');
	return db.inTenant(scopeOf(actor), async (tx) => {
		const [certificates, organisations, findings, evaluationRows] = await Promise.all([
			repo.searchCertificates(tx, scope),
			repo.searchOrganisations(tx, scope),
			repo.searchFindings(tx, scope),
			evaluations ? repo.searchEvaluations(tx, scope) : Promise.resolve([])
		]);
		return {
			q: text,
			tooShort: false as const,
			groups: {
				certificates: group(certificates),
				organisations: group(organisations),
				findings: group(findings),
				evaluations: group(evaluationRows)
			}
		};
	});
}
