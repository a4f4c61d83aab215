/**
 * The first message of a failed form action's `errors` (any field), for the list pages that show
 * one line above the list rather than a message by each field; undefined when the form passed.
 */
export function firstError(form: unknown): string | undefined {
	if (!form || typeof form !== 'object' || !('errors' in form)) return undefined;
	const errors = (form as { errors?: Record<string, unknown> }).errors ?? {};
	const first = Object.values(errors)[0];
	return typeof first === 'string' ? first : undefined;
}

/** The answer of a failed form action, as the record pages read it. */
interface Answer {
	errors?: Record<string, string>;
	values?: Record<string, string | null | undefined>;
	stale?: boolean;
}
const answerOf = (form: unknown): Answer =>
	form && typeof form === 'object' ? (form as Answer) : {};

/** A failed form action's message per field ('_' for the form as a whole); none when it passed. */
export function formErrors(form: unknown): Record<string, string> {
	return answerOf(form).errors ?? {};
}

/** What a failed form action sends back to be corrected, else the record's values to start from. */
export function formValues(
	form: unknown,
	initial: Record<string, string | null | undefined> = {}
): Record<string, string | undefined> {
	return (answerOf(form).values ?? initial) as Record<string, string | undefined>;
}

/** Whether the action refused the form because the record changed since the page was loaded. */
export const formStale = (form: unknown): boolean => Boolean(answerOf(form).stale);
