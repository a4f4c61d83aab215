import { z } from 'zod';
import { COMPLAINT_STATUSES, COMPLAINT_STEPS } from '../domain/complaint-lifecycle';
import {
	blankAsUndefined,
	email,
	id,
	idWith,
	isoDate,
	list,
	requiredText,
	text,
	version
} from './common.schema';
import { MAX_TEAM } from './evaluations.schema';

/*
 * The inputs of complaints (issue 13 item 4): the public form (and its status lookup), the
 * body's triage steps and the special evaluation opened from a complaint. Bounds match the
 * columns (migration 2026-12-04-08).
 */

/** What the public form's hidden field is called: a word bots fill and people never see. */
export const HONEYPOT_FIELD = 'website';

export const fileComplaintInput = z.object({
	name: requiredText(200, 'complaints_error_name_required'),
	email,
	phone: text(50),
	/** The certificate complained about, by number ('' = none named, on the body's form). */
	certificateNumber: text(100),
	body: requiredText(5000, 'complaints_error_body_required'),
	[HONEYPOT_FIELD]: text(500).default('')
});
export type FileComplaintInput = z.output<typeof fileComplaintInput>;

/** The complainant's status page: reference and email, both needed. */
export const complaintStatusInput = z.object({
	reference: requiredText(20, 'complaints_error_reference_required'),
	email
});
export type ComplaintStatusInput = z.output<typeof complaintStatusInput>;

export const listComplaintsInput = z
	.object({
		status: blankAsUndefined(
			z.enum(COMPLAINT_STATUSES, { error: 'complaints_error_status_invalid' })
		).optional()
	})
	.default({});
export type ListComplaintsInput = z.output<typeof listComplaintsInput>;

export const getComplaintInput = z.object({ id });

/** One triage step at the version seen, with the note the audit log keeps. */
export const complaintStepInput = z
	.object({
		id,
		version,
		step: z.enum(COMPLAINT_STEPS, { error: 'error_invalid_input' }),
		note: text(2000).default('')
	})
	// Closing a complaint says why: the record a certification body keeps of its decision.
	.refine((input) => !(input.step === 'resolve' || input.step === 'reject') || input.note !== '', {
		path: ['note'],
		error: 'complaints_error_note_required'
	});
export type ComplaintStepInput = z.output<typeof complaintStepInput>;

const windowDate = isoDate('evaluations_error_date_invalid');

/** "Open a special evaluation": its window and team, as planning one takes them. */
export const openSpecialEvaluationInput = z.object({
	id,
	version,
	windowStart: windowDate,
	windowEnd: windowDate,
	teamIds: list(idWith('evaluations_error_team_member_invalid'), MAX_TEAM),
	leadId: idWith('evaluations_error_lead_required'),
	note: text(2000).default('')
});
export type OpenSpecialEvaluationInput = z.output<typeof openSpecialEvaluationInput>;
