import type { z } from 'zod';
import { badInput, staleVersion } from '../errors';
import { hasMessage } from '../i18n/translate';

/* What the catalogue's services share: their input checked again, and versions. */

/**
 * The input a service was given, checked again by its use case's schema (pages, jobs and the
 * demo data call services directly): the first problem as a refusal on its field.
 */
export function checked<Schema extends z.ZodType>(
	schema: Schema,
	input: unknown
): z.output<Schema> {
	const result = schema.safeParse(input);
	if (result.success) return result.data;
	const issue = result.error.issues[0];
	const field = issue?.path.join('.') || '_';
	throw badInput(field, issue && hasMessage(issue.message) ? issue.message : 'error_invalid_input');
}

/** The version a form was filled from; anything else cannot be current. */
export function requireVersion(version: number, { orUnsaved = false } = {}) {
	if (!Number.isInteger(version) || version < (orUnsaved ? 0 : 1)) throw staleVersion();
}
