import type { Selectable } from 'kysely';
import type {
	ServiceCommitmentsTable,
	ServiceObjectivesTable,
	ServiceOutletsTable
} from '../../../../db/schema';
import type { AppDatabase, Tx } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import { todayInZone } from '../domain/calendar';
import { can, mayEver } from '../domain/permissions';
import { measurementPeriodOf, measurementRefusal, objectiveMet } from '../domain/service-system';
import { badInput, notFound, Refusal, staleVersion } from '../errors';
import { findOrganisation } from '../repositories/organisations';
import * as repo from '../repositories/service-system';
import { auditAs } from './audit-entry';
import { authorize } from './authorize';
import { id as uuid } from './common.schema';
import type {
	ApproveObjectiveInput,
	CreateCommitmentInput,
	CreateObjectiveInput,
	CreateOutletInput,
	RecordMeasurementInput,
	UpdateCommitmentInput,
	UpdateObjectiveInput,
	UpdateOutletInput
} from './service-system.schema';

/*
 * The certified organisation's service system (issue 12 item 5; GB/T 27922 §4.1; the seed's
 * 承诺和目标控制程序 and 网点管理): its commitments and work-order rules, its quantified
 * objectives (approved by its management, each change recorded with the superseded version),
 * the measurements of each period, and its service outlets. The organisation's admin keeps and
 * approves them, any of its users records a measurement; the body's staff read them, and the
 * evaluators raise findings against a commitment or an outlet (services/findings.ts asks
 * `serviceSubjectsOf` here).
 */

const isId = (value: string) => uuid.safeParse(value).success;

type SubjectCapability =
	'serviceSystem.read' | 'serviceSystem.manage' | 'serviceSystem.approve' | 'serviceSystem.measure';

/**
 * The role first (a role that may never do it is refused before anything is read), then the
 * organisation: another organisation's things are "not found" to an organisation's user.
 */
function requireRole(actor: Actor, capability: SubjectCapability) {
	// The rule reads the role before the subject: a role that may never do it gets its reason.
	if (!mayEver(actor, capability)) authorize(actor, capability, { organisationId: '' });
}

async function requireOrganisation(
	tx: Tx,
	actor: Actor,
	capability: SubjectCapability,
	organisationId: string
) {
	if (!isId(organisationId)) throw notFound();
	authorize(actor, capability, { organisationId });
	if (!(await findOrganisation(tx, organisationId))) throw notFound();
}

const num = (value: string | null) => (value === null ? null : Number(value));

export interface CommitmentView {
	id: string;
	organisationId: string;
	kind: ServiceCommitmentsTable['kind'];
	textZh: string;
	textEn: string;
	limitValue: number | null;
	limitUnit: ServiceCommitmentsTable['limit_unit'];
	status: 'active' | 'withdrawn';
	version: number;
	updatedAt: Date;
}

function commitmentView(row: Selectable<ServiceCommitmentsTable>): CommitmentView {
	return {
		id: row.id,
		organisationId: row.organisation_id,
		kind: row.kind,
		textZh: row.text_zh,
		textEn: row.text_en,
		limitValue: num(row.limit_value),
		limitUnit: row.limit_unit,
		status: row.status,
		version: row.version,
		updatedAt: row.updated_at
	};
}

export interface OutletView {
	id: string;
	organisationId: string;
	name: string;
	address: string;
	scope: ServiceOutletsTable['scope'];
	publiclyListed: boolean;
	operator: string;
	contactPhone: string;
	active: boolean;
	version: number;
}

function outletView(row: Selectable<ServiceOutletsTable>): OutletView {
	return {
		id: row.id,
		organisationId: row.organisation_id,
		name: row.name,
		address: row.address,
		scope: row.scope,
		publiclyListed: row.publicly_listed,
		operator: row.operator,
		contactPhone: row.contact_phone,
		active: row.active,
		version: row.version
	};
}

/** What a version of an objective was: the history keeps it as this. */
function objectiveContent(row: Selectable<ServiceObjectivesTable>) {
	return {
		title_zh: row.title_zh,
		title_en: row.title_en,
		metric_zh: row.metric_zh,
		metric_en: row.metric_en,
		target_value: Number(row.target_value),
		unit: row.unit,
		direction: row.direction,
		owner: row.owner,
		period: row.period,
		active: row.active,
		approved_by: row.approved_by,
		approved_on: row.approved_on
	};
}

/** How many periods of met / not met the page shows per objective. */
const HISTORY_PERIODS = 12;

/**
 * The organisation's whole service system, as its page and the evaluation page show it: the
 * body's staff for any organisation, its own users for their own.
 */
export async function getServiceSystem(
	db: AppDatabase,
	actor: Actor,
	input: { organisationId: string },
	now = new Date()
) {
	return db.inTenant(scopeOf(actor), (tx) =>
		readServiceSystem(tx, actor, input.organisationId, now)
	);
}

export async function readServiceSystem(
	tx: Tx,
	actor: Actor,
	organisationId: string,
	now = new Date()
) {
	await requireOrganisation(tx, actor, 'serviceSystem.read', organisationId);
	const today = todayInZone(now, actor.tenant.timeZone);
	const [commitments, objectives, measurements, versions, outlets] = await Promise.all([
		repo.listCommitments(tx, organisationId),
		repo.listObjectives(tx, organisationId),
		repo.listMeasurements(tx, organisationId),
		repo.listObjectiveVersions(tx, organisationId),
		repo.listOutlets(tx, organisationId)
	]);
	const subject = { organisationId };
	return {
		organisationId,
		today,
		commitments: commitments.map(commitmentView),
		objectives: objectives.map((row) => {
			const own = measurements
				.filter((m) => m.objective_id === row.id)
				.map((m) => ({
					id: m.id,
					periodStart: m.period_start,
					periodEnd: m.period_end,
					value: Number(m.value),
					targetValue: Number(m.target_value),
					direction: m.direction,
					objectiveVersion: m.objective_version,
					note: m.note,
					recordedAt: m.recorded_at,
					recordedByName: m.recorded_by_name,
					met: objectiveMet(m.direction, Number(m.target_value), Number(m.value))
				}));
			return {
				id: row.id,
				titleZh: row.title_zh,
				titleEn: row.title_en,
				metricZh: row.metric_zh,
				metricEn: row.metric_en,
				targetValue: Number(row.target_value),
				unit: row.unit,
				direction: row.direction,
				owner: row.owner,
				period: row.period,
				active: row.active,
				approvedOn: row.approved_on,
				approvedByName: row.approved_by ? row.approved_by_name : null,
				version: row.version,
				currentPeriod: measurementPeriodOf(row.period, today),
				measurements: own,
				/** Oldest first, the last periods: the page's small met / not met strip. */
				history: own.slice(0, HISTORY_PERIODS).reverse(),
				versions: versions
					.filter((v) => v.objective_id === row.id)
					.map((v) => ({
						version: v.superseded_version,
						content: v.content as ReturnType<typeof objectiveContent>,
						reason: v.change_reason,
						changedAt: v.changed_at,
						changedByName: v.changed_by_name
					}))
			};
		}),
		outlets: outlets.map(outletView),
		may: {
			manage: can(actor, 'serviceSystem.manage', subject),
			approve: can(actor, 'serviceSystem.approve', subject),
			measure: can(actor, 'serviceSystem.measure', subject)
		}
	};
}

export type ServiceSystem = Awaited<ReturnType<typeof readServiceSystem>>;

/* ---- Commitments ---- */

export async function createCommitment(
	db: AppDatabase,
	actor: Actor,
	input: CreateCommitmentInput,
	now = new Date()
) {
	requireRole(actor, 'serviceSystem.manage');
	return db.inTenant(scopeOf(actor), async (tx) => {
		await requireOrganisation(tx, actor, 'serviceSystem.manage', input.organisationId);
		const id = await repo.insertCommitment(tx, {
			tenant_id: actor.tenantId,
			organisation_id: input.organisationId,
			kind: input.kind,
			text_zh: input.textZh,
			text_en: input.textEn,
			limit_value: input.limitValue === null ? null : String(input.limitValue),
			limit_unit: input.limitUnit,
			created_at: now,
			updated_at: now
		});
		await auditAs(tx, actor, 'service_commitment.create', 'service_commitment', id, {
			after: {
				organisation_id: input.organisationId,
				kind: input.kind,
				text_zh: input.textZh,
				text_en: input.textEn,
				limit_value: input.limitValue,
				limit_unit: input.limitUnit
			},
			at: now
		});
		return { id };
	});
}

export async function updateCommitment(
	db: AppDatabase,
	actor: Actor,
	input: UpdateCommitmentInput,
	now = new Date()
) {
	requireRole(actor, 'serviceSystem.manage');
	return db.inTenant(scopeOf(actor), async (tx) => {
		const before = isId(input.commitmentId)
			? await repo.findCommitment(tx, input.commitmentId, { forUpdate: true })
			: undefined;
		if (!before) throw notFound();
		authorize(actor, 'serviceSystem.manage', { organisationId: before.organisation_id });
		const status = input.withdrawn ? ('withdrawn' as const) : ('active' as const);
		const updated = await repo.updateCommitment(tx, before.id, input.version, {
			kind: input.kind,
			text_zh: input.textZh,
			text_en: input.textEn,
			limit_value: input.limitValue === null ? null : String(input.limitValue),
			limit_unit: input.limitUnit,
			status
		});
		if (!updated) throw staleVersion();
		await auditAs(tx, actor, 'service_commitment.update', 'service_commitment', before.id, {
			before: {
				kind: before.kind,
				text_zh: before.text_zh,
				text_en: before.text_en,
				limit_value: num(before.limit_value),
				limit_unit: before.limit_unit,
				status: before.status,
				version: before.version
			},
			after: {
				kind: input.kind,
				text_zh: input.textZh,
				text_en: input.textEn,
				limit_value: input.limitValue,
				limit_unit: input.limitUnit,
				status,
				version: updated.version
			},
			at: now
		});
		return { id: before.id, version: updated.version };
	});
}

/* ---- Objectives ---- */

function objectiveColumns(input: CreateObjectiveInput | UpdateObjectiveInput) {
	return {
		title_zh: input.titleZh,
		title_en: input.titleEn,
		metric_zh: input.metricZh,
		metric_en: input.metricEn,
		target_value: input.targetValue,
		unit: input.unit,
		direction: input.direction,
		owner: input.owner,
		period: input.period
	};
}

/** A new objective is a draft until the organisation's management approves it. */
export async function createObjective(
	db: AppDatabase,
	actor: Actor,
	input: CreateObjectiveInput,
	now = new Date()
) {
	requireRole(actor, 'serviceSystem.manage');
	return db.inTenant(scopeOf(actor), async (tx) => {
		await requireOrganisation(tx, actor, 'serviceSystem.manage', input.organisationId);
		const columns = objectiveColumns(input);
		const id = await repo.insertObjective(tx, {
			tenant_id: actor.tenantId,
			organisation_id: input.organisationId,
			...columns,
			created_at: now,
			updated_at: now
		});
		await auditAs(tx, actor, 'service_objective.create', 'service_objective', id, {
			after: { organisation_id: input.organisationId, ...columns, version: 1 },
			at: now
		});
		return { id, version: 1 };
	});
}

/**
 * A change of an objective keeps the version it replaces (with its approval) and why it changed,
 * and leaves the new version waiting for approval again: the seed's 变更 is approved as the
 * objective was. A save that changes nothing writes nothing.
 */
export async function updateObjective(
	db: AppDatabase,
	actor: Actor,
	input: UpdateObjectiveInput,
	now = new Date()
) {
	requireRole(actor, 'serviceSystem.manage');
	return db.inTenant(scopeOf(actor), async (tx) => {
		const before = isId(input.objectiveId)
			? await repo.findObjective(tx, input.objectiveId, { forUpdate: true })
			: undefined;
		if (!before) throw notFound();
		authorize(actor, 'serviceSystem.manage', { organisationId: before.organisation_id });
		if (before.version !== input.version) throw staleVersion();
		const columns = { ...objectiveColumns(input), active: input.active };
		const previous = objectiveContent(before);
		const changed = (Object.keys(columns) as (keyof typeof columns)[]).some(
			(key) => String(columns[key]) !== String(previous[key])
		);
		if (!changed) return { id: before.id, version: before.version, changed: false };
		const updated = await repo.updateObjective(tx, before.id, input.version, {
			...columns,
			approved_by: null,
			approved_on: null
		});
		if (!updated) throw staleVersion();
		await repo.insertObjectiveVersion(tx, {
			tenantId: actor.tenantId,
			objectiveId: before.id,
			version: before.version,
			content: previous,
			reason: input.changeReason,
			changedBy: actor.userId,
			changedAt: now
		});
		await auditAs(tx, actor, 'service_objective.update', 'service_objective', before.id, {
			before: { ...previous, version: before.version },
			after: {
				...columns,
				approved_by: null,
				approved_on: null,
				version: updated.version,
				reason: input.changeReason
			},
			at: now
		});
		return { id: before.id, version: updated.version, changed: true };
	});
}

/** The organisation's management (its admin) approves the objective's current version. */
export async function approveObjective(
	db: AppDatabase,
	actor: Actor,
	input: ApproveObjectiveInput,
	now = new Date()
) {
	requireRole(actor, 'serviceSystem.approve');
	return db.inTenant(scopeOf(actor), async (tx) => {
		const before = isId(input.objectiveId)
			? await repo.findObjective(tx, input.objectiveId, { forUpdate: true })
			: undefined;
		if (!before) throw notFound();
		authorize(actor, 'serviceSystem.approve', { organisationId: before.organisation_id });
		if (before.version !== input.version) throw staleVersion();
		if (before.approved_by) throw new Refusal('CONFLICT', 'service_error_already_approved');
		if (!before.active) throw new Refusal('CONFLICT', 'service_error_objective_inactive');
		const approvedOn = todayInZone(now, actor.tenant.timeZone);
		const updated = await repo.setObjectiveApproval(tx, before.id, input.version, {
			by: actor.userId,
			on: approvedOn
		});
		if (!updated) throw staleVersion();
		await auditAs(tx, actor, 'service_objective.approve', 'service_objective', before.id, {
			before: { approved_by: null, approved_on: null, version: before.version },
			after: { approved_by: actor.userId, approved_on: approvedOn, version: before.version },
			at: now
		});
		return { id: before.id, approvedOn };
	});
}

/**
 * A measurement of one period of an approved objective, judged against the target it has now
 * (kept with the measurement). One per period: a period is measured once.
 */
export async function recordMeasurement(
	db: AppDatabase,
	actor: Actor,
	input: RecordMeasurementInput,
	now = new Date()
) {
	requireRole(actor, 'serviceSystem.measure');
	return db.inTenant(scopeOf(actor), async (tx) => {
		const objective = isId(input.objectiveId)
			? await repo.findObjective(tx, input.objectiveId, { forUpdate: true })
			: undefined;
		if (!objective) throw notFound();
		authorize(actor, 'serviceSystem.measure', { organisationId: objective.organisation_id });
		if (!objective.active) throw new Refusal('CONFLICT', 'service_error_objective_inactive');
		if (!objective.approved_by)
			throw new Refusal('CONFLICT', 'service_error_objective_not_approved');
		const today = todayInZone(now, actor.tenant.timeZone);
		const refusal = measurementRefusal(objective.period, input.periodDay, today);
		if (refusal) throw badInput('periodDay', refusal);
		const period = measurementPeriodOf(objective.period, input.periodDay);
		const id = await repo.insertMeasurement(tx, {
			tenantId: actor.tenantId,
			objectiveId: objective.id,
			periodStart: period.start,
			periodEnd: period.end,
			value: input.value,
			targetValue: objective.target_value,
			direction: objective.direction,
			objectiveVersion: objective.version,
			note: input.note,
			recordedBy: actor.userId,
			recordedAt: now
		});
		if (!id)
			throw new Refusal(
				'CONFLICT',
				'service_error_measurement_exists',
				{
					start: period.start,
					end: period.end
				},
				'periodDay'
			);
		const met = objectiveMet(objective.direction, Number(objective.target_value), input.value);
		await auditAs(tx, actor, 'service_measurement.record', 'service_measurement', id, {
			after: {
				objective_id: objective.id,
				period_start: period.start,
				period_end: period.end,
				value: input.value,
				target_value: Number(objective.target_value),
				direction: objective.direction,
				met,
				note: input.note
			},
			at: now
		});
		return { id, periodStart: period.start, periodEnd: period.end, met };
	});
}

/* ---- Outlets ---- */

function outletColumns(input: CreateOutletInput | UpdateOutletInput) {
	return {
		name: input.name,
		address: input.address,
		// A set: each scope once, in the list's order.
		scope: [...new Set(input.scope)],
		publicly_listed: input.publiclyListed,
		operator: input.operator,
		contact_phone: input.contactPhone
	};
}

export async function createOutlet(
	db: AppDatabase,
	actor: Actor,
	input: CreateOutletInput,
	now = new Date()
) {
	requireRole(actor, 'serviceSystem.manage');
	return db.inTenant(scopeOf(actor), async (tx) => {
		await requireOrganisation(tx, actor, 'serviceSystem.manage', input.organisationId);
		const columns = outletColumns(input);
		const id = await repo.insertOutlet(tx, {
			tenant_id: actor.tenantId,
			organisation_id: input.organisationId,
			...columns,
			created_at: now,
			updated_at: now
		});
		await auditAs(tx, actor, 'service_outlet.create', 'service_outlet', id, {
			after: { organisation_id: input.organisationId, ...columns },
			at: now
		});
		return { id };
	});
}

export async function updateOutlet(
	db: AppDatabase,
	actor: Actor,
	input: UpdateOutletInput,
	now = new Date()
) {
	requireRole(actor, 'serviceSystem.manage');
	return db.inTenant(scopeOf(actor), async (tx) => {
		const before = isId(input.outletId)
			? await repo.findOutlet(tx, input.outletId, { forUpdate: true })
			: undefined;
		if (!before) throw notFound();
		authorize(actor, 'serviceSystem.manage', { organisationId: before.organisation_id });
		const columns = { ...outletColumns(input), active: input.active };
		const updated = await repo.updateOutlet(tx, before.id, input.version, {
			...columns,
			updated_at: now
		});
		if (!updated) throw staleVersion();
		await auditAs(tx, actor, 'service_outlet.update', 'service_outlet', before.id, {
			before: {
				name: before.name,
				address: before.address,
				scope: before.scope,
				publicly_listed: before.publicly_listed,
				operator: before.operator,
				contact_phone: before.contact_phone,
				active: before.active,
				version: before.version
			},
			after: { ...columns, version: updated.version },
			at: now
		});
		return { id: before.id, version: updated.version };
	});
}

/* ---- What a finding is about ---- */

/**
 * The commitment and outlet a finding names, checked: each must be the evaluated organisation's
 * own (another organisation's, or one another tenant's RLS hides, is refused on its field).
 */
export async function serviceSubjectsOf(
	tx: Tx,
	organisationId: string,
	input: { commitmentId?: string | null; outletId?: string | null }
) {
	let commitment: Selectable<ServiceCommitmentsTable> | null = null;
	let outlet: Selectable<ServiceOutletsTable> | null = null;
	if (input.commitmentId) {
		const row = isId(input.commitmentId)
			? await repo.findCommitment(tx, input.commitmentId)
			: undefined;
		if (!row || row.organisation_id !== organisationId)
			throw badInput('commitmentId', 'service_error_commitment_unknown');
		commitment = row;
	}
	if (input.outletId) {
		const row = isId(input.outletId) ? await repo.findOutlet(tx, input.outletId) : undefined;
		if (!row || row.organisation_id !== organisationId)
			throw badInput('outletId', 'service_error_outlet_unknown');
		outlet = row;
	}
	return { commitment, outlet };
}

/** A finding's commitment and outlet as its page shows them. */
export async function findingServiceSubjects(
	tx: Tx,
	finding: { commitment_id: string | null; outlet_id: string | null }
) {
	const commitment = finding.commitment_id
		? await repo.findCommitment(tx, finding.commitment_id)
		: undefined;
	const outlet = finding.outlet_id ? await repo.findOutlet(tx, finding.outlet_id) : undefined;
	return {
		commitment: commitment ? commitmentView(commitment) : null,
		outlet: outlet ? outletView(outlet) : null
	};
}
