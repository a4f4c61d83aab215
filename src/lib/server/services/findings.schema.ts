import { z } from 'zod';
import type { FindingKind, FindingStatus, NonconformityGrade } from '../../../../db/schema';
import {
	blankAsNull,
	blankAsUndefined,
	checkbox,
	cursor,
	id,
	idWith,
	isoDate,
	refuseAt,
	requiredText,
	search,
	text,
	version
} from './common.schema';

/*
 * The inputs of recording findings, moving their due dates and listing them: one schema per use
 * case, shared by the tRPC procedure and the page's form action. Bounds match the columns.
 */

export const FINDING_KINDS: readonly FindingKind[] = [
	'nonconformity',
	'observation',
	'opportunity'
];
export const NONCONFORMITY_GRADES: readonly NonconformityGrade[] = ['major', 'minor'];
export const FINDING_SORTS = ['raised', 'due', 'status'] as const;
export type FindingSort = (typeof FINDING_SORTS)[number];

const STATUSES = [
	'open',
	'response_submitted',
	'action_in_progress',
	'evidence_submitted',
	'closed'
] as const satisfies readonly FindingStatus[];

const kind = z.enum(['nonconformity', 'observation', 'opportunity'], {
	error: 'evaluations_error_kind_invalid'
});
const grade = z.enum(['major', 'minor'], { error: 'evaluations_error_grade_required' });
const status = z.enum(STATUSES, { error: 'evaluations_error_status_invalid' });
const statement = requiredText(10_000);
const objectiveEvidence = text(10_000).default('');
const clauseId = blankAsNull(idWith('evaluations_error_clause_unknown')).optional();

export const raiseFindingInput = z
	.object({
		evaluationId: id,
		kind,
		grade: blankAsNull(grade).optional(),
		clauseId,
		statement,
		objectiveEvidence,
		/** The organisation's commitment or service outlet the finding is about (issue 12 item 5). */
		commitmentId: blankAsNull(idWith('service_error_commitment_unknown')).optional(),
		outletId: blankAsNull(idWith('service_error_outlet_unknown')).optional()
	})
	.superRefine((input, context) => {
		// ISO/IEC 17021-1 9.4.8: a nonconformity is graded major or minor; nothing else is.
		if (input.kind === 'nonconformity' && !input.grade)
			refuseAt(context, ['grade'], 'evaluations_error_grade_required');
		if (input.kind !== 'nonconformity' && input.grade)
			refuseAt(context, ['grade'], 'evaluations_error_grade_not_allowed');
	});
export type RaiseFindingInput = z.output<typeof raiseFindingInput>;

export const updateFindingInput = z.object({
	id,
	version,
	statement,
	objectiveEvidence,
	clauseId
});
export type UpdateFindingInput = z.output<typeof updateFindingInput>;

export const changeDueInput = z.object({
	id,
	version,
	dueOn: isoDate('evaluations_error_date_invalid'),
	reason: requiredText(2_000, 'evaluations_error_reason_required')
});
export type ChangeDueInput = z.output<typeof changeDueInput>;

/** The finding list's filters and page; unknown values of a query string are left out. */
export const findingListInput = z
	.object({
		status: blankAsUndefined(status),
		grade: blankAsUndefined(grade),
		kind: blankAsUndefined(kind),
		standardId: blankAsUndefined(id),
		organisationId: blankAsUndefined(id),
		evaluationId: blankAsUndefined(id),
		clauseId: blankAsUndefined(id),
		overdue: blankAsUndefined(checkbox),
		/** Not closed, whatever its stage (the figures' "open" bars). */
		unclosed: blankAsUndefined(checkbox),
		/** Due on or after / on or before (the figures' ageing bands). */
		dueFrom: blankAsUndefined(isoDate('evaluations_error_date_invalid')),
		dueTo: blankAsUndefined(isoDate('evaluations_error_date_invalid')),
		search: search(200),
		sort: blankAsUndefined(z.enum(FINDING_SORTS, { error: 'findings_sort_invalid' })),
		cursor
	})
	.default({});
export type FindingListInput = z.output<typeof findingListInput>;
