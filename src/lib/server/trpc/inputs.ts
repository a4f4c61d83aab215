import { z } from 'zod';
import { ALL_ROLES } from '../domain/roles';
import { MIN_PASSWORD_LENGTH } from '../auth/password';

/* Shared input pieces; messages are keys in messages/*.json, translated by the error formatter. */

export const id = z.uuid({ error: 'error_invalid_id' });
export const version = z.int().positive();
export const requiredText = (max: number) =>
	z.string().trim().min(1, { error: 'error_required' }).max(max, { error: 'error_too_long' });
export const email = z
	.string()
	.trim()
	.pipe(z.email({ error: 'error_email_invalid' }));
export const role = z.enum(ALL_ROLES as [string, ...string[]], { error: 'error_role_invalid' });
export const password = z.string().min(MIN_PASSWORD_LENGTH, { error: 'error_password_too_short' });
