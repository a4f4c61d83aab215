import { z } from 'zod';
import { password, requiredText } from './common.schema';

/*
 * Issue 12 item 7: forgetting and changing one's password. The forgotten-password form is as
 * loose as sign-in's (a malformed address is answered like an unknown one: nothing tells which
 * accounts exist).
 */
export const forgotPasswordInput = z.object({
	email: requiredText(254, 'login_missing')
});

/** The new password, typed twice. */
const newPassword = z
	.object({ password, confirm: z.string({ error: 'account_error_mismatch' }).max(1_000) })
	.refine((value) => value.password === value.confirm, {
		error: 'account_error_mismatch',
		path: ['confirm']
	});

export const resetPasswordInput = newPassword;

export const changePasswordInput = z
	.object({
		current: z
			.string({ error: 'account_error_current_wrong' })
			.min(1, { error: 'account_error_current_wrong' })
			.max(1_000, { error: 'error_too_long' }),
		password,
		confirm: z.string({ error: 'account_error_mismatch' }).max(1_000)
	})
	.refine((value) => value.password === value.confirm, {
		error: 'account_error_mismatch',
		path: ['confirm']
	});
