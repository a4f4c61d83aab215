import { z } from 'zod';
import { isIsoDate } from '$lib/server/domain/calendar';
import { id, requiredText } from '$lib/server/trpc/inputs';

/* The certificate forms' fields as submitted (strings); the services check the rest. */

const required = z.string().trim().min(1, { error: 'error_required' });
const choice = required.pipe(id);
const date = required.refine(isIsoDate, { error: 'organisations_error_date_invalid' });
/** Empty means "the same day as the issue". */
const optionalDate = z
	.string()
	.trim()
	.refine((value) => value === '' || isIsoDate(value), {
		error: 'organisations_error_date_invalid'
	})
	.transform((value) => value || null);

export const CORRECTION_FIELDS = ['number', 'scope', 'issuedOn', 'decidedOn', 'version'] as const;
export const NEW_CERTIFICATE_FIELDS = [
	'number',
	'organisationId',
	'standardId',
	'gradeLevelId',
	'scope',
	'issuedOn',
	'decidedOn'
] as const;

export const correctionForm = z.object({
	number: requiredText(100),
	scope: requiredText(2000),
	issuedOn: date,
	decidedOn: optionalDate,
	version: z.coerce.number().int().positive()
});

export const newCertificateForm = z.object({
	number: requiredText(100),
	organisationId: choice,
	standardId: choice,
	gradeLevelId: z
		.string()
		.trim()
		.pipe(z.union([z.literal(''), id]))
		.transform((value) => value || null),
	scope: requiredText(2000),
	issuedOn: date,
	decidedOn: optionalDate
});
