import { sql } from 'kysely';
import type { Tx } from '../db/tenant-scope';
import { atVersion } from './versioned';
import type { EvaluationKind, EvaluationStatus } from '../../../../db/schema';
import { TEAM_ROLES } from '../domain/permissions';
import { tenantJoin } from './tenant-join';

/* Evaluations, their teams, and the choices a plan is made from. */

export interface EvaluationFilter {
	status?: EvaluationStatus;
	kind?: EvaluationKind;
}

export function listEvaluations(tx: Tx, filter: EvaluationFilter = {}) {
	let query = tx
		.selectFrom('evaluations')
		.innerJoin('organisations', tenantJoin('organisations', 'evaluations.organisation_id'))
		.innerJoin('standards', tenantJoin('standards', 'evaluations.standard_id'))
		.leftJoin('certificates', tenantJoin('certificates', 'evaluations.certificate_id'))
		.select((eb) => [
			'evaluations.id',
			'evaluations.kind',
			'evaluations.reference',
			'evaluations.status',
			'evaluations.window_start',
			'evaluations.window_end',
			'evaluations.organisation_id',
			'organisations.legal_name as organisation_name',
			'standards.code as standard_code',
			'certificates.number as certificate_number',
			eb
				.selectFrom('evaluation_team_members')
				.innerJoin('users', 'users.id', 'evaluation_team_members.user_id')
				.select('users.name')
				.whereRef('evaluation_team_members.tenant_id', '=', 'evaluations.tenant_id')
				.whereRef('evaluation_team_members.evaluation_id', '=', 'evaluations.id')
				.where('evaluation_team_members.team_role', '=', 'lead')
				.as('lead_name'),
			eb
				.selectFrom('findings')
				.select(eb.fn.countAll<string>().as('n'))
				.whereRef('findings.tenant_id', '=', 'evaluations.tenant_id')
				.whereRef('findings.evaluation_id', '=', 'evaluations.id')
				.where('findings.status', '<>', 'closed')
				.as('open_findings')
		])
		.orderBy('evaluations.window_start', 'desc')
		.orderBy('evaluations.window_end', 'desc')
		.orderBy('evaluations.id');
	if (filter.status) query = query.where('evaluations.status', '=', filter.status);
	if (filter.kind) query = query.where('evaluations.kind', '=', filter.kind);
	return query.execute();
}

/** One evaluation with the names around it; `forUpdate` locks it for a step or a new finding. */
export function findEvaluation(tx: Tx, id: string, options: { forUpdate?: boolean } = {}) {
	let query = tx
		.selectFrom('evaluations')
		.innerJoin('organisations', tenantJoin('organisations', 'evaluations.organisation_id'))
		.innerJoin('standards', tenantJoin('standards', 'evaluations.standard_id'))
		.leftJoin('certificates', tenantJoin('certificates', 'evaluations.certificate_id'))
		.selectAll('evaluations')
		.select([
			'organisations.legal_name as organisation_name',
			'standards.code as standard_code',
			'standards.title_zh as standard_title_zh',
			'standards.title_en as standard_title_en',
			'certificates.number as certificate_number',
			'certificates.status as certificate_status',
			'certificates.issued_on as certificate_issued_on',
			'certificates.decided_on as certificate_decided_on'
		])
		.where('evaluations.id', '=', id);
	if (options.forUpdate) query = query.forUpdate('evaluations');
	return query.executeTakeFirst();
}

/**
 * Locks the organisation's row: assigning an evaluation reference reads the references its other
 * evaluations hold, so two first findings on two of its evaluations must take turns. "No key"
 * update: rows that merely point at the organisation (a new evaluation, a contact) need not wait.
 */
export async function lockOrganisationForReferences(tx: Tx, organisationId: string) {
	await tx
		.selectFrom('organisations')
		.select('id')
		.where('id', '=', organisationId)
		.forNoKeyUpdate()
		.executeTakeFirst();
}

/** The organisation's evaluations against one standard: the cycle a new reference is counted in. */
export function listCycleEvaluations(tx: Tx, organisationId: string, standardId: string) {
	return tx
		.selectFrom('evaluations')
		.select(['id', 'kind', 'window_start', 'reference'])
		.where('organisation_id', '=', organisationId)
		.where('standard_id', '=', standardId)
		.where('reference', 'is not', null)
		.execute();
}

/** Gives an evaluation its reference (once: its findings carry it, so it never changes). */
export async function setEvaluationReference(tx: Tx, id: string, reference: string) {
	await tx
		.updateTable('evaluations')
		.set({ reference })
		.where('id', '=', id)
		.where('reference', 'is', null)
		.execute();
}

export function listTeam(tx: Tx, evaluationId: string) {
	return tx
		.selectFrom('evaluation_team_members')
		.innerJoin('users', 'users.id', 'evaluation_team_members.user_id')
		.select([
			'evaluation_team_members.user_id',
			'evaluation_team_members.team_role',
			'users.name',
			'users.email'
		])
		.where('evaluation_team_members.evaluation_id', '=', evaluationId)
		.orderBy(sql`evaluation_team_members.team_role = 'lead'`, 'desc')
		.orderBy('users.name')
		.execute();
}

export async function isOnTeam(tx: Tx, evaluationId: string, userId: string): Promise<boolean> {
	const row = await tx
		.selectFrom('evaluation_team_members')
		.select('user_id')
		.where('evaluation_id', '=', evaluationId)
		.where('user_id', '=', userId)
		.executeTakeFirst();
	return row !== undefined;
}

export function insertEvaluation(
	tx: Tx,
	evaluation: {
		tenantId: string;
		kind: EvaluationKind;
		certificateId: string | null;
		organisationId: string;
		standardId: string;
		windowStart: string;
		windowEnd: string;
		createdAt?: Date;
	}
) {
	return tx
		.insertInto('evaluations')
		.values({
			tenant_id: evaluation.tenantId,
			created_at: evaluation.createdAt,
			kind: evaluation.kind,
			certificate_id: evaluation.certificateId,
			organisation_id: evaluation.organisationId,
			standard_id: evaluation.standardId,
			window_start: evaluation.windowStart,
			window_end: evaluation.windowEnd
		})
		.returningAll()
		.executeTakeFirstOrThrow();
}

/** Sets the team: the lead and the members, replacing whoever was on it. */
export async function replaceTeam(
	tx: Tx,
	tenantId: string,
	evaluationId: string,
	team: { userId: string; lead: boolean }[]
) {
	await tx
		.deleteFrom('evaluation_team_members')
		.where('evaluation_id', '=', evaluationId)
		.execute();
	await tx
		.insertInto('evaluation_team_members')
		.values(
			team.map((member) => ({
				tenant_id: tenantId,
				evaluation_id: evaluationId,
				user_id: member.userId,
				team_role: member.lead ? ('lead' as const) : ('member' as const)
			}))
		)
		.execute();
}

/** Optimistic update of a planned evaluation's window; undefined when `version` is stale. */
export function updateEvaluationWindow(
	tx: Tx,
	id: string,
	version: number,
	window: { windowStart: string; windowEnd: string }
) {
	return tx
		.updateTable('evaluations')
		.set({
			window_start: window.windowStart,
			window_end: window.windowEnd,
			version: sql`version + 1`
		})
		.where(atVersion(id, version))
		.returningAll()
		.executeTakeFirst();
}

const STEP_TIMESTAMPS = {
	in_progress: 'started_at',
	report_issued: 'report_issued_at',
	closed: 'closed_at'
} as const;

/** Moves an evaluation to `to`, stamping when (`at`, else now); undefined when `version` is stale. */
export function updateEvaluationStatus(
	tx: Tx,
	id: string,
	version: number,
	to: Exclude<EvaluationStatus, 'planned'>,
	at?: Date
) {
	return tx
		.updateTable('evaluations')
		.set({ status: to, [STEP_TIMESTAMPS[to]]: at ?? sql`now()`, version: sql`version + 1` })
		.where(atVersion(id, version))
		.returningAll()
		.executeTakeFirst();
}

export async function countOpenFindings(tx: Tx, evaluationId: string): Promise<number> {
	const row = await tx
		.selectFrom('findings')
		.select((eb) => eb.fn.countAll<string>().as('n'))
		.where('evaluation_id', '=', evaluationId)
		.where('status', '<>', 'closed')
		.executeTakeFirstOrThrow();
	return Number(row.n);
}

/** The end of the certificate's latest evaluation of one of `kinds` whose report is out. */
export async function lastIssuedEvaluationEnd(
	tx: Tx,
	certificateId: string,
	kinds: readonly EvaluationKind[]
): Promise<string | null> {
	const row = await tx
		.selectFrom('evaluations')
		.select('window_end')
		.where('certificate_id', '=', certificateId)
		.where('kind', 'in', kinds)
		.where('status', 'in', ['report_issued', 'closed'])
		.orderBy('window_end', 'desc')
		.limit(1)
		.executeTakeFirst();
	return row?.window_end ?? null;
}

/** The end of the certificate's latest surveillance whose report is out: the surveillance clock. */
export const lastIssuedSurveillanceEnd = (tx: Tx, certificateId: string) =>
	lastIssuedEvaluationEnd(tx, certificateId, ['surveillance']);

/* The choices a plan is made from. */

/** The tenant's people who may be on an evaluation team (`TEAM_ROLES`). */
export function listTeamCandidates(tx: Tx) {
	return tx
		.selectFrom('memberships')
		.innerJoin('users', 'users.id', 'memberships.user_id')
		.select(['users.id', 'users.name', 'users.email', 'memberships.role'])
		.where('memberships.role', 'in', [...TEAM_ROLES])
		.orderBy('users.name')
		.execute();
}

export function listOrganisationChoices(tx: Tx) {
	return tx
		.selectFrom('organisations')
		.select(['id', 'legal_name'])
		.orderBy('legal_name')
		.execute();
}

export function listCertificateChoices(tx: Tx) {
	return tx
		.selectFrom('certificates')
		.innerJoin('organisations', tenantJoin('organisations', 'certificates.organisation_id'))
		.innerJoin('standards', tenantJoin('standards', 'certificates.standard_id'))
		.select([
			'certificates.id',
			'certificates.number',
			'certificates.status',
			'organisations.legal_name as organisation_name',
			'standards.code as standard_code'
		])
		.orderBy('certificates.number')
		.execute();
}
