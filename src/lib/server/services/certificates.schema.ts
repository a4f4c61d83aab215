import { z } from 'zod';
import type { CertificateStatus } from '../../../../db/schema';
import { blankAsNull, id, isoDate, requiredText, version } from './common.schema';

/* The inputs of the certificate use cases, shared by the tRPC procedures and the form actions. */

export const CERTIFICATE_STATUSES = [
	'active',
	'suspended',
	'withdrawn',
	'expired'
] as const satisfies readonly CertificateStatus[];

const date = isoDate('organisations_error_date_invalid');

/** One of a form's choices: an empty select is "required", anything else must be an id. */
const choice = z
	.string({ error: 'error_required' })
	.trim()
	.min(1, { error: 'error_required' })
	.pipe(id);

/** What a certificate says that is not a decision. */
const correctionFields = {
	number: requiredText(100),
	scope: requiredText(2000),
	issuedOn: date,
	/** Empty or absent: the same day as the issue. */
	decidedOn: blankAsNull(date).optional()
};

export const listCertificatesInput = z
	.object({
		status: z.enum(CERTIFICATE_STATUSES).optional(),
		organisationId: id.optional()
	})
	.default({});

/** One certificate (its page, evaluations, timeline). */
export const certificateRef = z.object({ id });

export const createCertificateInput = z.object({
	...correctionFields,
	organisationId: choice,
	standardId: choice,
	/** Empty when the standard has no grade scale. */
	gradeLevelId: blankAsNull(id).optional()
});

export const updateCertificateInput = z.object({ ...correctionFields, id, version });

/** The expiry the create and edit forms preview. */
export const previewExpiryInput = z.object({ standardId: id, issuedOn: date });
