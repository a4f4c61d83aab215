import type { Tx } from '../db/tenant-scope';
import { DEFAULT_SCHEME_RULES, schemeRulesFromRow, type SchemeRules } from '../domain/scheme-rules';

/** The scheme rules of a standard; the defaults when none were saved for it. */
export async function findSchemeRules(tx: Tx, standardId: string): Promise<SchemeRules> {
	const row = await tx
		.selectFrom('scheme_rules')
		.selectAll()
		.where('standard_id', '=', standardId)
		.executeTakeFirst();
	return row ? schemeRulesFromRow(row) : DEFAULT_SCHEME_RULES;
}
