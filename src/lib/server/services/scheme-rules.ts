import type { AppDatabase, Tx } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import { DEFAULT_SCHEME_RULES, schemeRulesFromRow, type SchemeRules } from '../domain/scheme-rules';
import { notFound, staleVersion } from '../errors';
import * as repo from '../repositories/catalogue';
import { authorize } from './authorize';
import { checked, requireVersion } from './catalogue-support';
import { auditAs } from './audit-entry';
import { schemeRulesInput, type SchemeRulesInput } from './scheme-rules.schema';

/* A standard's scheme rules (SPEC §3): its certificate and nonconformity clocks. */

export { SCHEME_RULE_BOUNDS, type SchemeRulesInput } from './scheme-rules.schema';

export interface SavedSchemeRules extends SchemeRules {
	/** 0 while the standard runs on the defaults (nothing saved yet). */
	version: number;
	saved: boolean;
}

/** The rules saved for a standard, or the defaults (version 0) when none were. */
export async function schemeRulesOf(tx: Tx, standardId: string): Promise<SavedSchemeRules> {
	const row = await repo.findSchemeRulesRow(tx, standardId);
	return row
		? { ...schemeRulesFromRow(row), version: row.version, saved: true }
		: { ...DEFAULT_SCHEME_RULES, version: 0, saved: false };
}

/**
 * Saves a standard's scheme rules. `version` is the one the form was filled from: 0 when the
 * standard still ran on the defaults.
 */
export function updateSchemeRules(
	db: AppDatabase,
	actor: Actor,
	standardId: string,
	version: number,
	input: SchemeRulesInput,
	/** When it happens (the demo loads its past); unset, the database's clock. */
	now?: Date
) {
	authorize(actor, 'catalogue.manage');
	const rules: SchemeRules = checked(schemeRulesInput, input);
	requireVersion(version, { orUnsaved: true });
	return db.inTenant(scopeOf(actor), async (tx) => {
		if (!(await repo.findStandard(tx, standardId))) throw notFound();
		const before = await schemeRulesOf(tx, standardId);
		const row =
			version === 0
				? await repo.insertSchemeRules(tx, actor.tenantId, standardId, rules)
				: await repo.updateSchemeRules(tx, standardId, version, rules);
		if (!row) throw staleVersion();
		const { version: _before, saved: _saved, ...beforeRules } = before;
		await auditAs(tx, actor, 'scheme_rules.update', 'scheme_rules', standardId, {
			before: beforeRules,
			after: schemeRulesFromRow(row),
			at: now
		});
		return { ...schemeRulesFromRow(row), version: row.version, saved: true };
	});
}
