import { z } from 'zod';
import type {
	CommitmentKind,
	CommitmentLimitUnit,
	ObjectiveDirection,
	ObjectivePeriod,
	OutletScope
} from '../../../../db/schema';
import {
	blankAsNull,
	checkbox,
	id,
	isoDate,
	list,
	refuseAt,
	requiredText,
	text,
	version
} from './common.schema';

/*
 * The inputs of the organisation's service system (issue 12 item 5): one schema per use case,
 * shared by the tRPC procedures and the service-system page's form actions. Bounds match the
 * columns (migration 2026-12-04-05-service-system).
 */

export const COMMITMENT_KINDS = [
	'service_commitment',
	'work_order_rule'
] as const satisfies readonly CommitmentKind[];
export const LIMIT_UNITS = [
	'minutes',
	'hours',
	'days'
] as const satisfies readonly CommitmentLimitUnit[];
export const DIRECTIONS = ['at_least', 'at_most'] as const satisfies readonly ObjectiveDirection[];
export const PERIODS = [
	'monthly',
	'quarterly',
	'yearly'
] as const satisfies readonly ObjectivePeriod[];
export const OUTLET_SCOPES = [
	'minor_repair',
	'maintenance',
	'spare_parts',
	'installation',
	'home_visit'
] as const satisfies readonly OutletScope[];

/**
 * A decimal as numeric(precision, 4) takes it: a number, or a form's digits with at most four
 * decimals, below `max` in size.
 */
const decimal = (messageKey: string, max: number) =>
	z.preprocess(
		(value) => {
			if (typeof value !== 'string') return value;
			const trimmed = value.trim();
			if (trimmed === '') return undefined;
			return /^-?\d{1,10}(?:\.\d{1,4})?$/.test(trimmed) ? Number(trimmed) : Number.NaN;
		},
		z
			.number({ error: messageKey })
			.refine((n) => Number.isFinite(n), { error: messageKey })
			.refine((n) => Math.abs(n) < max, { error: 'error_number_out_of_range' })
			.refine((n) => Math.abs(Math.round(n * 10_000) - n * 10_000) < 1e-6, { error: messageKey })
	);

export const serviceSystemInput = z.object({ organisationId: id });

const commitmentFields = {
	kind: z.enum(COMMITMENT_KINDS, { error: 'service_error_kind_invalid' }),
	textZh: requiredText(2000),
	textEn: text(2000).default(''),
	limitValue: blankAsNull(decimal('service_error_limit_invalid', 100_000_000)).default(null),
	limitUnit: blankAsNull(
		z.enum(LIMIT_UNITS, { error: 'service_error_limit_unit_invalid' })
	).default(null)
};

/** A limit is a number and its unit, or neither; a limit is a positive amount of time. */
function limitWhole(
	input: { limitValue: number | null; limitUnit: string | null },
	context: z.RefinementCtx
) {
	if (input.limitValue !== null && input.limitValue <= 0)
		refuseAt(context, ['limitValue'], 'service_error_limit_invalid');
	if (input.limitValue !== null && input.limitUnit === null)
		refuseAt(context, ['limitUnit'], 'service_error_limit_unit_required');
	if (input.limitValue === null && input.limitUnit !== null)
		refuseAt(context, ['limitValue'], 'service_error_limit_value_required');
}

export const createCommitmentInput = z
	.object({ organisationId: id, ...commitmentFields })
	.superRefine(limitWhole);
export type CreateCommitmentInput = z.output<typeof createCommitmentInput>;

export const updateCommitmentInput = z
	.object({ commitmentId: id, version, ...commitmentFields, withdrawn: checkbox })
	.superRefine(limitWhole);
export type UpdateCommitmentInput = z.output<typeof updateCommitmentInput>;

const objectiveFields = {
	titleZh: requiredText(200),
	titleEn: text(200).default(''),
	metricZh: requiredText(500),
	metricEn: text(500).default(''),
	targetValue: decimal('service_error_target_invalid', 10_000_000_000),
	unit: requiredText(20),
	direction: z.enum(DIRECTIONS, { error: 'service_error_direction_invalid' }),
	owner: requiredText(100),
	period: z.enum(PERIODS, { error: 'service_error_period_invalid' })
};

export const createObjectiveInput = z.object({ organisationId: id, ...objectiveFields });
export type CreateObjectiveInput = z.output<typeof createObjectiveInput>;

export const updateObjectiveInput = z.object({
	objectiveId: id,
	version,
	...objectiveFields,
	active: checkbox,
	// The seed's 变更: a change of an objective says why, and is approved again.
	changeReason: requiredText(2000, 'service_error_change_reason_required')
});
export type UpdateObjectiveInput = z.output<typeof updateObjectiveInput>;

export const approveObjectiveInput = z.object({ objectiveId: id, version });
export type ApproveObjectiveInput = z.output<typeof approveObjectiveInput>;

export const recordMeasurementInput = z.object({
	objectiveId: id,
	/** Any day of the period measured; the service takes the period it falls in. */
	periodDay: isoDate('service_error_period_day_invalid'),
	value: decimal('service_error_value_invalid', 10_000_000_000),
	note: text(2000).default('')
});
export type RecordMeasurementInput = z.output<typeof recordMeasurementInput>;

const outletFields = {
	name: requiredText(200),
	address: requiredText(500),
	scope: list(z.enum(OUTLET_SCOPES, { error: 'service_error_scope_invalid' }), 5).pipe(
		z.array(z.enum(OUTLET_SCOPES)).min(1, { error: 'service_error_scope_required' })
	),
	publiclyListed: checkbox,
	operator: requiredText(200),
	contactPhone: text(50).default('')
};

export const createOutletInput = z.object({ organisationId: id, ...outletFields });
export type CreateOutletInput = z.output<typeof createOutletInput>;

export const updateOutletInput = z.object({
	outletId: id,
	version,
	...outletFields,
	active: checkbox
});
export type UpdateOutletInput = z.output<typeof updateOutletInput>;
