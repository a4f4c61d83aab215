import { z } from 'zod';
import { checkbox, id, refuseAt, wholeNumber } from './common.schema';

/* The input of saving a standard's scheme rules; the tRPC procedure and the form both parse it. */

/** The sane range of each scheme clock, shown beside its field; the messages name the same. */
export const SCHEME_RULE_BOUNDS = {
	certificateValidityMonths: { min: 1, max: 120 },
	firstSurveillanceMonths: { min: 1, max: 36 },
	maxSurveillanceGapMonths: { min: 1, max: 36 },
	majorDueDays: { min: 1, max: 365 },
	minorDueDays: { min: 1, max: 730 },
	maxSuspensionMonths: { min: 1, max: 24 },
	suspendWithinDays: { min: 1, max: 90 }
} as const;

const INT4_MAX = 2_147_483_647;

/** A clock within its bounds; the field's own message says them (form digits count too). */
const clock = (field: keyof typeof SCHEME_RULE_BOUNDS, message: string) =>
	wholeNumber(-INT4_MAX, INT4_MAX, message).pipe(
		z
			.int({ error: message })
			.min(SCHEME_RULE_BOUNDS[field].min, { error: message })
			.max(SCHEME_RULE_BOUNDS[field].max, { error: message })
	);

const rulesShape = {
	certificateValidityMonths: clock('certificateValidityMonths', 'catalogue_rules_error_validity'),
	firstSurveillanceMonths: clock('firstSurveillanceMonths', 'catalogue_rules_error_first'),
	firstSurveillanceFrom: z.enum(['decision', 'issue'], { error: 'catalogue_rules_error_from' }),
	maxSurveillanceGapMonths: clock('maxSurveillanceGapMonths', 'catalogue_rules_error_gap'),
	majorDueDays: clock('majorDueDays', 'catalogue_rules_error_major'),
	minorDueDays: clock('minorDueDays', 'catalogue_rules_error_minor'),
	/** An unticked checkbox posts nothing: false. */
	overdueMinorBecomesMajor: checkbox,
	maxSuspensionMonths: clock('maxSuspensionMonths', 'catalogue_rules_error_suspension'),
	suspendWithinDays: clock('suspendWithinDays', 'catalogue_rules_error_suspend_within')
};

function clocksAgree(
	rules: {
		certificateValidityMonths: number;
		firstSurveillanceMonths: number;
		majorDueDays: number;
		minorDueDays: number;
	},
	ctx: z.RefinementCtx
) {
	if (rules.firstSurveillanceMonths >= rules.certificateValidityMonths)
		refuseAt(ctx, ['firstSurveillanceMonths'], 'catalogue_rules_error_first_after_expiry');
	// A major nonconformity is the more urgent one.
	if (rules.majorDueDays > rules.minorDueDays)
		refuseAt(ctx, ['majorDueDays'], 'catalogue_rules_error_major_after_minor');
}

/** A standard's scheme rules. */
export const schemeRulesInput = z.object(rulesShape).superRefine(clocksAgree);
export type SchemeRulesInput = z.input<typeof schemeRulesInput>;

/**
 * The rules saved for a standard from `version`: the one the form was filled from, 0 while the
 * standard still ran on the defaults.
 */
export const updateSchemeRulesInput = z
	.object({
		standardId: id,
		version: wholeNumber(0, INT4_MAX, 'error_invalid_version'),
		...rulesShape
	})
	.superRefine(clocksAgree);
