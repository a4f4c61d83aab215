import { error, fail, type ActionFailure } from '@sveltejs/kit';
import type { z } from 'zod';
import type { Locale } from '../../../db/schema';
import { Refusal, type RefusalKind } from './errors';
import { translate } from './i18n/translate';
import { fieldErrors } from './i18n/field-errors';

/*
 * What every form action shares, written once: reading the posted form (a body that is no form
 * is a 400, not a 500), parsing it through the use case's own schema (the one its tRPC procedure
 * takes), and answering a service's refusal with one status and one message per field in the
 * user's language. A failed form gets its values back, so nothing typed is lost.
 */

/** The HTTP status of each kind of refusal, for forms, uploads and pages alike. */
export const STATUS_OF_REFUSAL: Record<RefusalKind, 400 | 401 | 403 | 404 | 409> = {
	BAD_REQUEST: 400,
	UNAUTHORIZED: 401,
	FORBIDDEN: 403,
	NOT_FOUND: 404,
	CONFLICT: 409
};

export type FormValues = Record<string, string>;

export interface FormFailure {
	/** Which form of the page failed, when a page has several. */
	form?: string;
	values: FormValues;
	/** One message per field; '_' is the form as a whole. */
	errors: Record<string, string>;
	/** The record changed since the page was loaded: offer a reload. */
	stale: boolean;
}

/** The posted form, or null when the body is no form (wrong content type, broken multipart). */
export async function readForm(request: Request): Promise<FormData | null> {
	try {
		return await request.formData();
	} catch {
		return null;
	}
}

/**
 * A form's fields as the schema's input: one value is a string, a repeated name a list. Files
 * are left out (uploads have their own path).
 */
export function formObject(data: FormData): Record<string, string | string[]> {
	const object: Record<string, string | string[]> = {};
	for (const key of new Set(data.keys())) {
		const values = data.getAll(key).filter((value): value is string => typeof value === 'string');
		if (values.length === 0) continue;
		object[key] = values.length === 1 ? (values[0] as string) : values;
	}
	return object;
}

/** What a failed form shows again: each field's first value as typed. */
export function formValues(data: FormData | null): FormValues {
	if (!data) return {};
	const values: FormValues = {};
	for (const [key, value] of data)
		if (typeof value === 'string' && !(key in values)) values[key] = value;
	return values;
}

export type ParsedForm<Schema extends z.ZodType> =
	| { ok: true; data: z.output<Schema>; values: FormValues }
	| { ok: false; failure: ActionFailure<FormFailure> };

/**
 * Reads and parses a form through `schema`; `extra` adds what the URL carries (the route's id).
 * Refusals name fields by their first path segment.
 */
export async function parseForm<Schema extends z.ZodType>(
	request: Request,
	schema: Schema,
	locale: Locale,
	options: {
		extra?: Record<string, unknown>;
		form?: string;
		params?: Record<string, string | number>;
	} = {}
): Promise<ParsedForm<Schema>> {
	return parseFormData(await readForm(request), schema, locale, options);
}

/** parseForm for a form already read (one that also carries files the caller reads itself). */
export function parseFormData<Schema extends z.ZodType>(
	data: FormData | null,
	schema: Schema,
	locale: Locale,
	options: {
		extra?: Record<string, unknown>;
		form?: string;
		params?: Record<string, string | number>;
	} = {}
): ParsedForm<Schema> {
	const values = formValues(data);
	if (!data)
		return {
			ok: false,
			failure: fail(400, {
				form: options.form,
				values,
				errors: { _: translate('error_form_unreadable', locale) },
				stale: false
			})
		};
	const parsed = schema.safeParse({ ...formObject(data), ...options.extra });
	if (!parsed.success)
		return {
			ok: false,
			failure: fail(400, {
				form: options.form,
				values,
				errors: fieldErrors(parsed.error, locale, options.params, 1),
				stale: false
			})
		};
	return { ok: true, data: parsed.data, values };
}

/**
 * A service's refusal as the form's answer: its status, the message on its field (or the form
 * as a whole). Anything that is not a Refusal is not the user's doing and is rethrown.
 */
export function refusalFailure(
	cause: unknown,
	locale: Locale,
	values: FormValues,
	options: {
		form?: string;
		fields?: readonly string[];
		params?: Record<string, string | number>;
	} = {}
): ActionFailure<FormFailure> {
	if (!(cause instanceof Refusal)) throw cause;
	const message = translate(cause.messageKey, locale, { ...options.params, ...cause.params });
	const field =
		cause.field && (!options.fields || options.fields.includes(cause.field)) ? cause.field : '_';
	return fail(STATUS_OF_REFUSAL[cause.kind], {
		form: options.form,
		values,
		errors: { [field]: message },
		stale: cause.messageKey === 'error_stale_version'
	});
}

/**
 * A whole form action: parse, run the use case, answer. `run` returns what the page receives on
 * success (e.g. `{ done: true }`) or redirects.
 */
export async function submitForm<Schema extends z.ZodType, Result>(
	request: Request,
	locale: Locale,
	schema: Schema,
	run: (input: z.output<Schema>) => Promise<Result>,
	options: {
		extra?: Record<string, unknown>;
		form?: string;
		params?: Record<string, string | number>;
	} = {}
): Promise<Result | ActionFailure<FormFailure>> {
	const parsed = await parseForm(request, schema, locale, options);
	if (!parsed.ok) return parsed.failure;
	try {
		return await run(parsed.data);
	} catch (cause) {
		return refusalFailure(cause, locale, parsed.values, options);
	}
}

/**
 * For page loads: a refusal becomes the error page with its status and message (a foreign or
 * unknown id is a 404 that reveals nothing); anything else is rethrown.
 */
export function refusalAsErrorPage(cause: unknown, locale: Locale): never {
	if (cause instanceof Refusal)
		error(STATUS_OF_REFUSAL[cause.kind], translate(cause.messageKey, locale, cause.params));
	throw cause;
}

/** Runs a page load's service call, turning its refusals into error pages. */
export async function loadOrRefuse<T>(locale: Locale, work: () => Promise<T>): Promise<T> {
	try {
		return await work();
	} catch (cause) {
		refusalAsErrorPage(cause, locale);
	}
}
