import { z } from 'zod';
import { requiredText } from '$lib/server/trpc/inputs';

/** The organisation form's fields; the service validates the USCC check digit and duplicates. */
export const ORGANISATION_FIELDS = ['legalName', 'uscc', 'address'] as const;

export const organisationForm = z.object({
	legalName: requiredText(200),
	uscc: z.string().trim().min(1, { error: 'error_required' }),
	address: z.string().trim().max(500, { error: 'error_too_long' })
});
