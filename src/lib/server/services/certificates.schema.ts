import { z } from 'zod';
import type { CertificateStatus } from '../../../../db/schema';
import {
	blankAsNull,
	blankAsUndefined,
	cursor,
	id,
	isoDate,
	list,
	requiredText,
	search,
	text,
	version
} from './common.schema';

/* The inputs of the certificate use cases, shared by the tRPC procedures and the form actions. */

export const CERTIFICATE_STATUSES = [
	'active',
	'suspended',
	'withdrawn',
	'expired'
] as const satisfies readonly CertificateStatus[];

const date = isoDate('organisations_error_date_invalid');

/** The most lines of an earlier body's history one transfer takes. */
export const PREVIOUS_HISTORY_ROWS_MAX = 50;

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

/** The list's orders: by number, by expiry (soonest first) or by organisation. */
export const CERTIFICATE_SORTS = ['number', 'expiry', 'organisation'] as const;
export type CertificateSort = (typeof CERTIFICATE_SORTS)[number];

/** The list's filters, order and page; an empty form field means "all". */
export const listCertificatesInput = z
	.object({
		status: blankAsUndefined(
			z.enum(CERTIFICATE_STATUSES, { error: 'error_invalid_choice' })
		).optional(),
		organisationId: blankAsUndefined(id).optional(),
		standardId: blankAsUndefined(id).optional(),
		/** Text in the certificate's number or the organisation's name. */
		search: search(100),
		sort: blankAsUndefined(z.enum(CERTIFICATE_SORTS, { error: 'error_invalid_sort' })).optional(),
		cursor
	})
	.default({});

/** One certificate (its page, evaluations, timeline). */
export const certificateRef = z.object({ id });

export const createCertificateInput = z.object({
	...correctionFields,
	organisationId: choice,
	standardId: choice,
	/** Empty when the standard has no grade scale. */
	gradeLevelId: blankAsNull(id).optional(),
	/** Transferred from another body (issue 12 item 4): its name and number there, both or neither. */
	previousBodyName: blankAsNull(text(200)).optional(),
	previousNumber: blankAsNull(text(100)).optional(),
	/*
	 * Its history at that body, as parallel lists (a form's repeated rows; a wholly blank row is
	 * left out). Each value is only bounded here: the service checks the rows against each other
	 * and refuses on one row's field (domain/previous-body-history.ts).
	 */
	previousHistoryOn: list(text(20), PREVIOUS_HISTORY_ROWS_MAX).optional(),
	previousHistoryEvent: list(text(30), PREVIOUS_HISTORY_ROWS_MAX).optional(),
	previousHistoryNote: list(text(4000), PREVIOUS_HISTORY_ROWS_MAX).optional()
});

export const updateCertificateInput = z.object({ ...correctionFields, id, version });

/** The expiry the create and edit forms preview. */
export const previewExpiryInput = z.object({ standardId: id, issuedOn: date });
