import { z } from 'zod';
import { requiredText } from './common.schema';

/*
 * The sign-in form. Deliberately loose beyond "both given, bounded, no NUL": a malformed email
 * and a wrong one get the same answer (no hint about which accounts exist).
 */
export const signInInput = z.object({
	email: requiredText(254, 'login_missing'),
	password: z
		.string({ error: 'login_missing' })
		.min(1, { error: 'login_missing' })
		.max(1_000, { error: 'error_too_long' })
		.refine((value) => !value.includes('\u0000'), { error: 'error_nul_character' })
});
