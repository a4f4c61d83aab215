import { z } from 'zod';
import type { EvaluationKind, EvaluationStatus } from '../../../../db/schema';
import { EVALUATION_ACTIONS } from '../domain/evaluation-lifecycle';
import {
	blankAsNull,
	blankAsUndefined,
	cursor,
	id,
	idWith,
	isoDate,
	list,
	search,
	version
} from './common.schema';

/** A field a typed caller may leave out and a form may leave blank: null either way. */
const optional = <T extends z.ZodType>(schema: T) => blankAsNull(schema).optional();

/*
 * The inputs of the evaluation use cases (SPEC §3), one schema each: the tRPC procedure takes it
 * and the page's form action parses its FormData through it. Shapes and bounds live here; the
 * rules that need the database (the team's people, the certificate's tenant) stay in the service.
 */

export const EVALUATION_KINDS = [
	'initial',
	'surveillance',
	'recertification',
	'special'
] as const satisfies readonly EvaluationKind[];

export const EVALUATION_STATUSES = [
	'planned',
	'in_progress',
	'report_issued',
	'closed'
] as const satisfies readonly EvaluationStatus[];

/** At most this many people on one team. */
export const MAX_TEAM = 50;

const kind = z.enum(EVALUATION_KINDS, { error: 'evaluations_error_kind_invalid' });
const status = z.enum(EVALUATION_STATUSES, { error: 'evaluations_error_status_invalid' });
const windowDate = isoDate('evaluations_error_date_invalid');

const team = {
	teamIds: list(idWith('evaluations_error_team_member_invalid'), MAX_TEAM).refine(
		(ids) => ids.length > 0,
		{ error: 'evaluations_error_team_required' }
	),
	leadId: idWith('evaluations_error_lead_required')
};

/** The list's orders: by window (latest first) or by organisation. */
export const EVALUATION_SORTS = ['window', 'organisation'] as const;
export type EvaluationSort = (typeof EVALUATION_SORTS)[number];

/** The list page's filters, order and page; an empty form field means "all". */
export const listEvaluationsSchema = z
	.object({
		status: blankAsUndefined(status).optional(),
		kind: blankAsUndefined(kind).optional(),
		/** Text in the organisation's name or the certificate's number. */
		search: search(100),
		sort: blankAsUndefined(z.enum(EVALUATION_SORTS, { error: 'error_invalid_sort' })).optional(),
		cursor
	})
	.default({});

export const getEvaluationSchema = z.object({ id });

/** A new evaluation: of a certificate, or (initial) of an organisation against a standard. */
export const planEvaluationSchema = z.object({
	kind,
	certificateId: optional(idWith('evaluations_error_certificate_unknown')),
	organisationId: optional(idWith('evaluations_error_organisation_unknown')),
	standardId: optional(idWith('evaluations_error_standard_unknown')),
	windowStart: windowDate,
	windowEnd: windowDate,
	...team
});
export type PlanEvaluationInput = z.output<typeof planEvaluationSchema>;

/** The window and team of an evaluation not started yet, at the version seen. */
export const updatePlanSchema = z.object({
	id,
	version,
	windowStart: windowDate,
	windowEnd: windowDate,
	...team
});

/** One step (start, issue the report, close) of the evaluation at the version seen. */
export const evaluationStepSchema = z.object({ id, version });

/** The evaluation page's step form: the step is named in the form. */
export const takeStepSchema = evaluationStepSchema.extend({
	action: z.enum(EVALUATION_ACTIONS, { error: 'error_invalid_input' })
});
