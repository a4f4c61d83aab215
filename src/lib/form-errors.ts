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
