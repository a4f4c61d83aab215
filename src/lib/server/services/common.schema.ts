import { z } from 'zod';
import { ALL_ROLES } from '../domain/roles';
import { isIsoDate } from '../domain/calendar';
import { MIN_PASSWORD_LENGTH } from '../auth/password';

/*
 * The pieces every input schema is built from. Each bounds its value to what the column takes
 * (PostgreSQL refuses NUL in text, `integer` ends at 2^31 − 1, dates are kept sane), so a bad
 * value is refused by the schema with a message key, never by the database with a 500. The same
 * schemas parse tRPC input (typed values) and form posts (strings): numbers, booleans and lists
 * accept their form spelling too. Messages are keys in messages/*.json.
 */

const NUL = '\u0000';

/** Any text: trimmed, without NUL, at most `max` characters ('' allowed). */
export const text = (max: number) =>
	z
		.string({ error: 'error_required' })
		.refine((value) => !value.includes(NUL), { error: 'error_nul_character' })
		.transform((value) => value.trim())
		.pipe(z.string().max(max, { error: 'error_too_long' }));

/** Text that must be there. */
export const requiredText = (max: number, requiredKey = 'error_required') =>
	z
		.string({ error: requiredKey })
		.refine((value) => !value.includes(NUL), { error: 'error_nul_character' })
		.transform((value) => value.trim())
		.pipe(z.string().min(1, { error: requiredKey }).max(max, { error: 'error_too_long' }));

/** An empty form field means "not given": '' becomes undefined before `schema` reads it. */
export const blankAsUndefined = <T extends z.ZodType>(schema: T) =>
	z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/** Like `blankAsUndefined`, for columns that take null. */
export const blankAsNull = <T extends z.ZodType>(schema: T) =>
	z.preprocess((value) => (value === '' || value === undefined ? null : value), schema.nullable());

/** A row's id. */
export const id = z.uuid({ error: 'error_invalid_id' });

/** An id chosen from a list, with the field's own message when it is not one. */
export const idWith = (messageKey: string) => z.uuid({ error: messageKey });

const INT4_MAX = 2_147_483_647;

/**
 * A whole number within [min, max]; a form's digits count as the number. Typed as number | string
 * on the way in, so tRPC callers see a number field rather than `unknown`.
 */
export const wholeNumber = (min: number, max: number, messageKey = 'error_number_invalid') =>
	z
		.union([z.number(), z.string()], { error: messageKey })
		.transform((value) =>
			typeof value === 'string'
				? /^\s*-?\d{1,10}\s*$/.test(value)
					? Number(value)
					: Number.NaN
				: value
		)
		.pipe(
			z
				.int({ error: messageKey })
				.min(min, { error: 'error_number_out_of_range' })
				.max(max, { error: 'error_number_out_of_range' })
		);

/** The version of a row the user saw (optimistic concurrency), bounded to its integer column. */
export const version = wholeNumber(1, INT4_MAX, 'error_invalid_version');

/** The earliest and latest calendar days the product accepts. */
export const EARLIEST_DATE = '1900-01-01';
export const LATEST_DATE = '2999-12-31';

/** A calendar day 'YYYY-MM-DD' that exists and lies in the accepted range. */
export const isoDate = (messageKey = 'error_date_invalid') =>
	z
		.string({ error: messageKey })
		.trim()
		.refine(isIsoDate, { error: messageKey })
		.refine((value) => value >= EARLIEST_DATE && value <= LATEST_DATE, {
			error: 'error_date_out_of_range'
		});

/** A checkbox: true, or the form's 'on' / 'true'. */
export const checkbox = z.preprocess(
	(value) => value === true || value === 'on' || value === 'true' || value === '1',
	z.boolean()
);

/** A list; a form's single value (or none) becomes a list. */
export const list = <T extends z.ZodType>(item: T, max: number) =>
	z.preprocess(
		(value) => (value === undefined || value === '' ? [] : Array.isArray(value) ? value : [value]),
		z.array(item).max(max, { error: 'error_too_many' })
	);

export const email = z
	.string({ error: 'error_email_invalid' })
	.refine((value) => !value.includes(NUL), { error: 'error_email_invalid' })
	.transform((value) => value.trim())
	.pipe(z.email({ error: 'error_email_invalid' }).max(254, { error: 'error_too_long' }));

export const role = z.enum(ALL_ROLES as [string, ...string[]], { error: 'error_role_invalid' });

export const password = z
	.string({ error: 'error_password_too_short' })
	.min(MIN_PASSWORD_LENGTH, { error: 'error_password_too_short' })
	.max(1_000, { error: 'error_too_long' });

/** Free search text of a list page. */
export const search = (max = 200) => blankAsUndefined(text(max));

/** A keyset cursor as a list page hands it out. */
export const cursor = z.string().max(500, { error: 'error_invalid_cursor' }).nullish();

/**
 * A rule across fields, refused on the field the person must change (its message key names the
 * rule): for `superRefine`, where the fields' own schemas cannot see each other.
 */
export function refuseAt(context: z.RefinementCtx, path: (string | number)[], message: string) {
	context.addIssue({ code: 'custom', path, message });
}
