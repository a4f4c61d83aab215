import { error, fail } from '@sveltejs/kit';
import type { z } from 'zod';
import type { Locale } from '../../../../db/schema';
import { Refusal } from '$lib/server/errors';
import { translate } from '$lib/server/i18n/translate';
import { fieldProblems } from '$lib/server/services/catalogue';
import {
	CLAUSE_CSV_MAX_ROWS,
	CLAUSE_NUMBER_MAX_LENGTH,
	CLAUSE_TITLE_MAX_LENGTH
} from '$lib/server/domain/clause-csv';

/* What the catalogue's form actions share: reading fields, and refusals as field errors. */

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Parameters some catalogue messages name (limits of the CSV import). */
const LIMITS = {
	max: CLAUSE_CSV_MAX_ROWS,
	maxTitle: CLAUSE_TITLE_MAX_LENGTH,
	maxNumber: CLAUSE_NUMBER_MAX_LENGTH
};

export function say(key: string, locale: Locale, params: Record<string, string | number> = {}) {
	return translate(key, locale, { ...LIMITS, ...params });
}

export function textField(form: FormData, name: string): string {
	const value = form.get(name);
	return typeof value === 'string' ? value : '';
}

/** A form's zod problems, each field's first one in the user's language. */
export function invalid(values: unknown, zodError: z.ZodError, locale: Locale, extra = {}) {
	const errors: Record<string, string> = {};
	for (const [field, key] of Object.entries(fieldProblems(zodError)))
		errors[field] = say(key, locale);
	return fail(400, { ...extra, values, errors });
}

/** A service's refusal as the form's answer: the message on its field (or the whole form). */
export function refused(cause: unknown, values: unknown, locale: Locale, extra = {}) {
	if (!(cause instanceof Refusal)) throw cause;
	const message = say(cause.messageKey, locale, cause.params);
	if (cause.kind === 'NOT_FOUND') error(404, message);
	const status = cause.kind === 'FORBIDDEN' ? 403 : cause.kind === 'CONFLICT' ? 409 : 400;
	return fail(status, { ...extra, values, errors: { [cause.field ?? '_']: message } });
}

/** A whole number typed into a form, or NaN (which the schema then refuses with its message). */
export function wholeNumber(value: string): number {
	return /^\s*\d{1,6}\s*$/.test(value) ? Number(value) : Number.NaN;
}
