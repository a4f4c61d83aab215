import { z } from 'zod';
import type { DecisionKind } from '../../../../db/schema';
import { SCOPE_ITEM_KINDS } from '../domain/certificate-scope';
import { blankAsNull, id, idWith, list, requiredText, text, version } from './common.schema';

/** A field a typed caller may leave out and a form may leave blank: null either way. */
const optional = <T extends z.ZodType>(schema: T) => blankAsNull(schema).optional();

/* The inputs of certification decisions (SPEC §3), one schema per use case. */

/**
 * The decisions taken on the decision page; granting belongs to the initial certification (a new
 * certificate and its number), renewal to a recertification on an existing one.
 */
export const DECISION_KINDS = [
	'maintain',
	'renew',
	'regrade',
	'suspend',
	'withdraw',
	'restore',
	'reduce_scope',
	'extend_scope'
] as const satisfies readonly DecisionKind[];

export type PageDecisionKind = (typeof DECISION_KINDS)[number];

/** What the decision page offers for one certificate. */
export const decisionOptionsSchema = z.object({ certificateId: id });

/** A decision on a certificate at the version the decision maker saw. */
export const takeDecisionSchema = z.object({
	certificateId: id,
	version,
	/** The evaluation the decision follows; optional for suspend and withdraw. */
	evaluationId: optional(idWith('findings_decision_evaluation_invalid')),
	kind: z.enum(DECISION_KINDS, { error: 'findings_decision_kind_invalid' }),
	reason: requiredText(4000),
	newGradeLevelId: optional(idWith('findings_decision_grade_invalid')),
	newScope: optional(text(4000)),
	/*
	 * Extend scope: the items to add, as parallel lists (a form's repeated rows; a row without a
	 * name is left out). Reduce scope: the ids of the items to remove.
	 */
	scopeItemKind: list(
		z.enum(SCOPE_ITEM_KINDS, { error: 'renewal_scope_item_kind_invalid' }),
		50
	).optional(),
	scopeItemName: list(text(200), 50).optional(),
	scopeItemAddress: list(text(300), 50).optional(),
	removeScopeItemIds: list(idWith('renewal_scope_item_unknown'), 200).optional()
});
export type TakeDecisionInput = z.output<typeof takeDecisionSchema>;
