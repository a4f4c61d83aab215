import { fail } from '@sveltejs/kit';
import type { ZodError } from 'zod';
import type { Locale } from '../../../../db/schema';
import { Refusal } from '$lib/server/errors';
import { translate } from '$lib/server/i18n/translate';

/*
 * What the organisation and certificate forms answer when a save is refused: the values to show
 * again and one message per field ('_' for the form as a whole), in the user's language.
 */

export type FormValues = Record<string, string>;

/** The first message of each field of a failed parse. */
export function invalidInput(error: ZodError, locale: Locale, values: FormValues) {
	const errors: Record<string, string> = {};
	for (const issue of error.issues)
		errors[String(issue.path[0] ?? '_')] ??= translate(issue.message, locale);
	return fail(400, { values, errors });
}

const STATUS = {
	BAD_REQUEST: 400,
	UNAUTHORIZED: 401,
	FORBIDDEN: 403,
	NOT_FOUND: 404,
	CONFLICT: 409
};

/** A service's refusal on its field; anything else is not ours to answer and is rethrown. */
export function refused(cause: unknown, locale: Locale, values: FormValues) {
	if (!(cause instanceof Refusal)) throw cause;
	const message = translate(cause.messageKey, locale, cause.params);
	return fail(STATUS[cause.kind], { values, errors: { [cause.field ?? '_']: message } });
}

/** The submitted fields as strings (files and repeated names are not expected here). */
export function formValues(data: FormData, names: readonly string[]): FormValues {
	return Object.fromEntries(names.map((name) => [name, String(data.get(name) ?? '')]));
}
