import { z } from 'zod';
import {
	blankAsUndefined,
	checkbox,
	id,
	isoDate,
	refuseAt,
	requiredText,
	text,
	wholeNumber
} from './common.schema';

/*
 * The inputs of recurring obligations (issue 7 §3): one schema per use case, shared by the tRPC
 * procedure and the obligations page's form action. Bounds match the columns.
 */

export const CADENCES = ['weekly', 'monthly', 'quarterly'] as const;
export type ObligationCadence = (typeof CADENCES)[number];

export const listDueItemsInput = z.object({
	organisationId: blankAsUndefined(id)
});

export const submitDueItemInput = z.object({ itemId: id });

export const reviewDueItemInput = z
	.object({
		itemId: id,
		verdict: z.enum(['accept', 'reject'], { error: 'obligations_error_verdict_invalid' }),
		comment: text(2000).default('')
	})
	.superRefine((input, context) => {
		// The organisation must learn what to do again: a rejection says why.
		if (input.verdict === 'reject' && !input.comment)
			refuseAt(context, ['comment'], 'obligations_error_reason_required');
	});

export const raiseDueItemFindingInput = z.object({
	itemId: id,
	grade: z.enum(['major', 'minor'], { error: 'evaluations_error_grade_required' }).default('minor')
});

const obligationFields = {
	titleZh: requiredText(200),
	titleEn: text(200).default(''),
	cadence: z.enum(CADENCES, { error: 'obligations_error_cadence_invalid' }),
	dueDay: wholeNumber(1, 31, 'obligations_error_due_day_invalid'),
	startsOn: isoDate()
};

/** A weekly obligation is due on a weekday (1 = Monday … 7 = Sunday), as the column's check says. */
function weekdayWhenWeekly(
	input: { cadence: ObligationCadence; dueDay: number },
	context: z.RefinementCtx
) {
	if (input.cadence === 'weekly' && input.dueDay > 7)
		refuseAt(context, ['dueDay'], 'obligations_error_weekday');
}

export const createObligationInput = z
	.object({ organisationId: id, ...obligationFields })
	.superRefine(weekdayWhenWeekly);

export const updateObligationInput = z
	.object({ obligationId: id, ...obligationFields, active: checkbox })
	.superRefine(weekdayWhenWeekly);

export type ReviewDueItemInput = z.output<typeof reviewDueItemInput>;
export type ObligationInput = z.output<typeof createObligationInput>;
export type ObligationUpdate = z.output<typeof updateObligationInput>;
