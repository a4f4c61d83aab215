import { z } from 'zod';
import { blankAsNull, id, idWith, requiredText, version } from './common.schema';

/* The inputs of the initial certification's grant decision (issue 12 item 1). */

/** What the grant page offers for one initial evaluation. */
export const grantOptionsSchema = z.object({ evaluationId: id });

/**
 * A grant after an initial evaluation, at the evaluation's version the decision maker saw. The
 * number is not an input: the grant allocates it from the body's pattern.
 */
export const grantCertificateSchema = z.object({
	evaluationId: id,
	version,
	scope: requiredText(2000),
	/** From the standard's grade scale; required when it has one, absent when not. */
	gradeLevelId: blankAsNull(idWith('organisations_error_grade_not_in_scale')).optional(),
	reason: requiredText(4000)
});
export type GrantCertificateInput = z.output<typeof grantCertificateSchema>;
