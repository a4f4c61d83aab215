import type { AppDatabase, Tx } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import type { EvaluationKind, EvaluationStatus } from '../../../../db/schema';
import {
	EVALUATION_ACTIONS,
	decideEvaluationStep,
	mayEditPlan,
	mayRecordFindings,
	type EvaluationAction
} from '../domain/evaluation-lifecycle';
import { can, mayEver } from '../domain/permissions';
import { isOverdue } from '../domain/finding-lifecycle';
import { nextSurveillanceDue, nonconformityDueDate } from '../domain/scheme-rules';
import { isIsoDate, todayInZone } from '../domain/calendar';
import { badInput, forbidden, notFound, Refusal, staleVersion } from '../errors';
import { authorize } from './authorize';
import { NO_ORGANISATION } from '../domain/roles';
import { organisationMaySee } from './finding-access';
import { reportIssuedMessage } from './event-messages';
import {
	EVALUATION_KINDS,
	type EvaluationSort,
	type listEvaluationsSchema
} from './evaluations.schema';
import {
	ascending,
	byId,
	descending,
	readListBatches,
	readListPage,
	type ListPage,
	type ListSort
} from './list-pages';
import type { z } from 'zod';
import { auditAs } from './audit-entry';

type ListEvaluationsInput = Partial<z.output<typeof listEvaluationsSchema>>;
import { findSchemeRules } from '../repositories/scheme-rules';
import * as repo from '../repositories/evaluations';
import { findCertificate, renewedOn } from '../repositories/certificates';
import { findOrganisation } from '../repositories/organisations';
import { findStandard, listClauses, listStandardChoices } from '../repositories/catalogue';
import { listEvaluationFindings } from '../repositories/findings';
import { listEvaluationDecisions } from '../repositories/decisions';

/* Evaluations (SPEC §3): planned with a team, started, report issued, closed. */

export { EVALUATION_KINDS, EVALUATION_STATUSES } from './evaluations.schema';

/** Whose role may ever run an evaluation (the team check follows on the evaluation itself). */
function requireRunner(actor: Actor) {
	if (!mayEver(actor, 'evaluation.run')) throw forbidden();
}

type EvaluationRow = Awaited<ReturnType<typeof repo.listEvaluations>>[number];

const windowStart = descending<EvaluationRow>('evaluations.window_start', 'window_start', 'date');
const EVALUATION_ORDERS: Record<EvaluationSort, ListSort<EvaluationRow>> = {
	window: {
		columns: [
			windowStart,
			descending('evaluations.window_end', 'window_end', 'date'),
			byId('evaluations.id')
		]
	},
	organisation: {
		columns: [
			ascending('organisations.legal_name', 'organisation_name', 'text'),
			windowStart,
			byId('evaluations.id')
		]
	}
};

/**
 * One page of the evaluation list (the page and the tRPC procedure): `input.cursor` is the `next`
 * of the page before. Each page also says how many evaluations the filter keeps.
 */
export function listEvaluations(
	db: AppDatabase,
	actor: Actor,
	input: ListEvaluationsInput = {},
	options: { pageSize?: number } = {}
): Promise<ListPage<EvaluationRow>> {
	authorize(actor, 'evaluation.view', { organisationId: actor.organisationId ?? '' });
	const filter = {
		...evaluationFilterOf(input),
		// An organisation's users list their own organisation's evaluations only.
		...(mayEver(actor, 'evaluation.read')
			? {}
			: { organisationId: actor.organisationId ?? NO_ORGANISATION })
	};
	return readListPage(
		db,
		actor,
		EVALUATION_ORDERS,
		{ sort: input.sort ?? 'window', cursor: input.cursor, ...options },
		(tx, page) => repo.listEvaluations(tx, filter, page),
		(tx) => repo.countEvaluations(tx, filter)
	);
}

function evaluationFilterOf(input: ListEvaluationsInput) {
	return { status: input.status, kind: input.kind, search: input.search };
}

/** Every evaluation the list's filter keeps, in its order, batch by batch (the export). */
export function evaluationBatches(
	db: AppDatabase,
	actor: Actor,
	input: ListEvaluationsInput = {},
	options: { batchSize?: number } = {}
): AsyncGenerator<EvaluationRow[], void, undefined> {
	authorize(actor, 'evaluation.read');
	const filter = evaluationFilterOf(input);
	return readListBatches(
		db,
		actor,
		EVALUATION_ORDERS,
		{ sort: input.sort ?? 'window', ...options },
		(tx, page) => repo.listEvaluations(tx, filter, page)
	);
}

/** Everything a plan is chosen from: certificates, organisations, standards, team candidates. */
export async function planningChoices(db: AppDatabase, actor: Actor) {
	authorize(actor, 'evaluation.plan');
	return db.inTenant(scopeOf(actor), async (tx) => {
		const [certificates, organisations, standards, people] = await Promise.all([
			repo.listCertificateChoices(tx),
			repo.listOrganisationChoices(tx),
			listStandardChoices(tx),
			repo.listTeamCandidates(tx)
		]);
		return { certificates, organisations, standards, people };
	});
}

/** The people who may be on a team: the tenant's evaluators and administrators. */
export async function teamCandidates(db: AppDatabase, actor: Actor) {
	authorize(actor, 'evaluation.plan');
	return db.inTenant(scopeOf(actor), (tx) => repo.listTeamCandidates(tx));
}

export interface PlanInput {
	kind: EvaluationKind;
	/** For surveillance, recertification and special evaluations: the certificate evaluated. */
	certificateId?: string | null;
	/** For an initial evaluation (no certificate yet). */
	organisationId?: string | null;
	standardId?: string | null;
	windowStart: string;
	windowEnd: string;
	/** Everyone on the team, the lead included. */
	teamIds: string[];
	leadId: string;
	/** A special evaluation opened from a complaint (complaints.ts): the complaint it answers. */
	complaintId?: string | null;
}

function checkWindow(windowStart: string, windowEnd: string) {
	if (!isIsoDate(windowStart)) throw badInput('windowStart', 'evaluations_error_date_invalid');
	if (!isIsoDate(windowEnd)) throw badInput('windowEnd', 'evaluations_error_date_invalid');
	if (windowEnd < windowStart) throw badInput('windowEnd', 'evaluations_error_window_order');
}

/** The team as rows, after checking it: a lead who is on it, everyone an evaluator or admin here. */
async function checkedTeam(tx: Tx, teamIds: string[], leadId: string) {
	const ids = [...new Set(teamIds)];
	if (ids.length === 0) throw badInput('teamIds', 'evaluations_error_team_required');
	if (!leadId) throw badInput('leadId', 'evaluations_error_lead_required');
	if (!ids.includes(leadId)) throw badInput('leadId', 'evaluations_error_lead_not_on_team');
	const candidates = new Map((await repo.listTeamCandidates(tx)).map((p) => [p.id, p]));
	if (ids.some((id) => !candidates.has(id)))
		throw badInput('teamIds', 'evaluations_error_team_member_invalid');
	const team = ids.map((id) => ({ userId: id, lead: id === leadId }));
	const names = {
		lead: candidates.get(leadId)!.name,
		members: ids.filter((id) => id !== leadId).map((id) => candidates.get(id)!.name)
	};
	return { team, names };
}

/** `now`: when it is planned (the demo loads its past); unset, the database's clock. */
export async function planEvaluation(db: AppDatabase, actor: Actor, input: PlanInput, now?: Date) {
	authorize(actor, 'evaluation.plan');
	if (!EVALUATION_KINDS.includes(input.kind))
		throw badInput('kind', 'evaluations_error_kind_invalid');
	checkWindow(input.windowStart, input.windowEnd);
	return db.inTenant(scopeOf(actor), (tx) => planEvaluationIn(tx, actor, input, now));
}

/** Planning inside the caller's transaction (a complaint's special evaluation: one step). */
export async function planEvaluationIn(tx: Tx, actor: Actor, input: PlanInput, now?: Date) {
	authorize(actor, 'evaluation.plan');
	checkWindow(input.windowStart, input.windowEnd);
	let certificate: { id: string; number: string } | null = null;
	let organisationId: string;
	let standardId: string;
	if (input.kind === 'initial') {
		if (!input.organisationId)
			throw badInput('organisationId', 'evaluations_error_organisation_required');
		if (!input.standardId) throw badInput('standardId', 'evaluations_error_standard_required');
		organisationId = input.organisationId;
		standardId = input.standardId;
	} else {
		if (!input.certificateId)
			throw badInput('certificateId', 'evaluations_error_certificate_required');
		const found = await findCertificate(tx, input.certificateId);
		if (!found) throw badInput('certificateId', 'evaluations_error_certificate_unknown');
		certificate = found;
		organisationId = found.organisation_id;
		standardId = found.standard_id;
	}
	const organisation = await findOrganisation(tx, organisationId);
	if (!organisation) throw badInput('organisationId', 'evaluations_error_organisation_unknown');
	const standard = await findStandard(tx, standardId);
	if (!standard) throw badInput('standardId', 'evaluations_error_standard_unknown');
	const { team, names } = await checkedTeam(tx, input.teamIds, input.leadId);

	const evaluation = await repo.insertEvaluation(tx, {
		tenantId: actor.tenantId,
		kind: input.kind,
		certificateId: certificate?.id ?? null,
		organisationId,
		standardId,
		windowStart: input.windowStart,
		windowEnd: input.windowEnd,
		complaintId: input.complaintId ?? null,
		createdAt: now
	});
	await repo.replaceTeam(tx, actor.tenantId, evaluation.id, team);
	await auditAs(tx, actor, 'evaluation.plan', 'evaluation', evaluation.id, {
		after: {
			kind: input.kind,
			certificate: certificate?.number ?? null,
			organisation: organisation.legal_name,
			standard: standard.code,
			windowStart: input.windowStart,
			windowEnd: input.windowEnd,
			lead: names.lead,
			members: names.members
		},
		at: now
	});
	return evaluation;
}

/** Loads an evaluation to change it, locked, with whether the actor is on its team. */
async function loadForChange(tx: Tx, actor: Actor, id: string) {
	const evaluation = await repo.findEvaluation(tx, id, { forUpdate: true });
	if (!evaluation) throw notFound();
	const onTeam = await repo.isOnTeam(tx, id, actor.userId);
	return { evaluation, onTeam };
}

export interface PlanChanges {
	windowStart: string;
	windowEnd: string;
	teamIds: string[];
	leadId: string;
}

/** Changes the window and team of an evaluation that has not started yet. */
export async function updateEvaluationPlan(
	db: AppDatabase,
	actor: Actor,
	id: string,
	version: number,
	changes: PlanChanges
) {
	requireRunner(actor);
	checkWindow(changes.windowStart, changes.windowEnd);
	return db.inTenant(scopeOf(actor), async (tx) => {
		const { evaluation, onTeam } = await loadForChange(tx, actor, id);
		authorize(actor, 'evaluation.run', { onTeam });
		if (evaluation.version !== version) throw staleVersion();
		if (!mayEditPlan(evaluation.status))
			throw new Refusal('CONFLICT', 'evaluations_error_plan_not_editable');
		const beforeTeam = await repo.listTeam(tx, id);
		const { team, names } = await checkedTeam(tx, changes.teamIds, changes.leadId);
		const after = await repo.updateEvaluationWindow(tx, id, version, changes);
		if (!after) throw staleVersion();
		await repo.replaceTeam(tx, actor.tenantId, id, team);
		await auditAs(tx, actor, 'evaluation.update', 'evaluation', id, {
			before: {
				windowStart: evaluation.window_start,
				windowEnd: evaluation.window_end,
				lead: beforeTeam.find((m) => m.team_role === 'lead')?.name ?? null,
				members: beforeTeam.filter((m) => m.team_role !== 'lead').map((m) => m.name)
			},
			after: {
				windowStart: after.window_start,
				windowEnd: after.window_end,
				lead: names.lead,
				members: names.members
			}
		});
		return after;
	});
}

const STEP_AUDIT = {
	start: 'evaluation.start',
	issue_report: 'evaluation.issue_report',
	close: 'evaluation.close'
} as const;

/**
 * Starts an evaluation, issues its report (which opens its findings to the organisation, see
 * finding-access.ts) or closes it, as the life cycle allows the actor.
 */
export async function takeEvaluationStep(
	db: AppDatabase,
	actor: Actor,
	id: string,
	version: number,
	action: EvaluationAction,
	/** When the step is taken (the demo loads its past); unset, the database's clock. */
	now?: Date
) {
	requireRunner(actor);
	return db.inTenant(scopeOf(actor), async (tx) => {
		const { evaluation, onTeam } = await loadForChange(tx, actor, id);
		authorize(actor, 'evaluation.run', { onTeam });
		const decision = decideEvaluationStep(evaluation.status, action, { role: actor.role, onTeam });
		if (evaluation.version !== version) throw staleVersion();
		if (!decision.ok) throw new Refusal('CONFLICT', `evaluations_error_${action}_wrong_status`);
		const to = decision.to as Exclude<EvaluationStatus, 'planned'>;
		const after = await repo.updateEvaluationStatus(tx, id, version, to, now);
		if (!after) throw staleVersion();
		await auditAs(tx, actor, STEP_AUDIT[action], 'evaluation', id, {
			before: { status: evaluation.status },
			after: { status: after.status },
			at: now
		});
		if (action === 'issue_report')
			await reportIssuedMessage(tx, actor, {
				id,
				version: after.version,
				organisation_id: evaluation.organisation_id
			});
		return after;
	});
}

export const startEvaluation = (
	db: AppDatabase,
	actor: Actor,
	id: string,
	version: number,
	now?: Date
) => takeEvaluationStep(db, actor, id, version, 'start', now);
export const issueEvaluationReport = (
	db: AppDatabase,
	actor: Actor,
	id: string,
	version: number,
	now?: Date
) => takeEvaluationStep(db, actor, id, version, 'issue_report', now);
export const closeEvaluation = (db: AppDatabase, actor: Actor, id: string, version: number) =>
	takeEvaluationStep(db, actor, id, version, 'close');

/**
 * An evaluation as its page shows it (CB staff): facts, team, findings with their overdue flag,
 * the steps and changes open to the actor, the clauses a finding may cite, the due dates a new
 * nonconformity would get today, and when the certificate's next surveillance falls due.
 */
export async function getEvaluation(db: AppDatabase, actor: Actor, id: string, now = new Date()) {
	if (!mayEver(actor, 'evaluation.read')) return getOwnEvaluation(db, actor, id, now);
	authorize(actor, 'evaluation.read');
	const today = todayInZone(now, actor.tenant.timeZone);
	return db.inTenant(scopeOf(actor), async (tx) => {
		const evaluation = await repo.findEvaluation(tx, id);
		if (!evaluation) throw notFound();
		const [team, findings, clauses, rules, decisions] = await Promise.all([
			repo.listTeam(tx, id),
			listEvaluationFindings(tx, id),
			listClauses(tx, evaluation.standard_id),
			findSchemeRules(tx, evaluation.standard_id),
			listEvaluationDecisions(tx, id)
		]);
		const onTeam = team.some((member) => member.user_id === actor.userId);
		const runner = can(actor, 'evaluation.run', { onTeam });
		const steps = EVALUATION_ACTIONS.filter(
			(action) => decideEvaluationStep(evaluation.status, action, { role: actor.role, onTeam }).ok
		);
		let nextSurveillance: string | null = null;
		if (
			evaluation.certificate_id &&
			evaluation.certificate_issued_on &&
			evaluation.certificate_decided_on
		) {
			const last = await repo.lastIssuedSurveillanceEnd(tx, evaluation.certificate_id);
			nextSurveillance = nextSurveillanceDue(
				{
					issuedOn: evaluation.certificate_issued_on,
					decidedOn: evaluation.certificate_decided_on,
					renewedOn: await renewedOn(tx, evaluation.certificate_id)
				},
				last,
				rules
			);
		}
		return {
			evaluation,
			team,
			findings: findings.map((finding) => ({ ...finding, overdue: isOverdue(finding, today) })),
			openFindings: findings.filter((finding) => finding.status !== 'closed').length,
			/** The certification decisions that followed it: what closed it. */
			decisions,
			clauses,
			steps,
			mayEditPlan: runner && mayEditPlan(evaluation.status),
			mayRecordFindings: runner && mayRecordFindings(evaluation.status),
			onTeam,
			/** The actor's role runs evaluations, but not this one: they are not on its team. */
			offTeam: mayEver(actor, 'evaluation.run') && !runner,
			today,
			/** What a nonconformity recorded today would be due on, per grade. */
			dueDates: {
				major: { on: nonconformityDueDate(today, 'major', rules), days: rules.majorDueDays },
				minor: { on: nonconformityDueDate(today, 'minor', rules), days: rules.minorDueDays }
			},
			nextSurveillance,
			readOnly: false,
			/** The report's PDF (services/documents.ts): once the report is issued. */
			mayDownloadReport: organisationMaySee(evaluation.status)
		};
	});
}

/**
 * An evaluation as its organisation's users read it (issue 12 item 6): the plan, the team's names
 * and roles, and, once the report is issued, its findings (SPEC §3: not before). Read-only: no
 * step, change or clause is offered, and the body's decisions and the team's addresses stay
 * the body's. Another organisation's evaluation is "not found".
 */
async function getOwnEvaluation(db: AppDatabase, actor: Actor, id: string, now: Date) {
	const today = todayInZone(now, actor.tenant.timeZone);
	return db.inTenant(scopeOf(actor), async (tx) => {
		const evaluation = await repo.findEvaluation(tx, id);
		if (!evaluation) throw notFound();
		authorize(actor, 'evaluation.view', { organisationId: evaluation.organisation_id });
		const reportIssued = organisationMaySee(evaluation.status);
		const [team, findings] = await Promise.all([
			repo.listTeam(tx, id),
			reportIssued ? listEvaluationFindings(tx, id) : Promise.resolve([])
		]);
		return {
			evaluation,
			team: team.map((member) => ({ ...member, email: '' })),
			findings: findings.map((finding) => ({ ...finding, overdue: isOverdue(finding, today) })),
			openFindings: findings.filter((finding) => finding.status !== 'closed').length,
			decisions: [] as Awaited<ReturnType<typeof listEvaluationDecisions>>,
			clauses: [] as Awaited<ReturnType<typeof listClauses>>,
			steps: [] as EvaluationAction[],
			mayEditPlan: false,
			mayRecordFindings: false,
			onTeam: false,
			offTeam: false,
			today,
			dueDates: null,
			nextSurveillance: null as string | null,
			readOnly: true,
			mayDownloadReport: reportIssued
		};
	});
}
