import { sql } from 'kysely';
import type { Tx } from '../db/tenant-scope';
import { updateAtVersion } from './versioned';
import type { EvaluationKind, EvaluationStatus } from '../../../../db/schema';
import { TEAM_ROLES } from '../domain/permissions';
import { tenantCountOf, tenantJoin } from './tenant-join';
import {
	certificatesWithOrganisation,
	evaluationsWithNames,
	membersWithUsers,
	teamOf,
	teamWithUsers
} from './joins';
import { countOf, hasRow } from './query';
import { afterKey, orderOf, type KeysetPage } from './keyset';
import { likePattern } from './like';

/* Evaluations, their teams, and the choices a plan is made from. */

export interface EvaluationFilter {
	status?: EvaluationStatus;
	kind?: EvaluationKind;
	/** Text in the organisation's name or the certificate's number. */
	search?: string;
	/** One organisation's evaluations only (what its own users see). */
	organisationId?: string;
}

/** The tenant's evaluations that `filter` keeps, joined to the names a row shows. */
function filteredEvaluations(tx: Tx, filter: EvaluationFilter) {
	let query = evaluationsWithNames(tx);
	if (filter.status) query = query.where('evaluations.status', '=', filter.status);
	if (filter.kind) query = query.where('evaluations.kind', '=', filter.kind);
	if (filter.organisationId)
		query = query.where('evaluations.organisation_id', '=', filter.organisationId);
	if (filter.search) {
		const pattern = likePattern(filter.search);
		query = query.where((eb) =>
			eb.or([
				eb('organisations.legal_name', 'ilike', pattern),
				eb('certificates.number', 'ilike', pattern)
			])
		);
	}
	return query;
}

/** How many evaluations `filter` keeps (the list's row count). */
export function countEvaluations(tx: Tx, filter: EvaluationFilter) {
	return countOf(filteredEvaluations(tx, filter));
}

/** One keyset page of the list, in `page.order`. */
export function listEvaluations(tx: Tx, filter: EvaluationFilter, page: KeysetPage) {
	let query = filteredEvaluations(tx, filter)
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
			teamOf(eb, 'evaluations.id')
				.innerJoin('users', 'users.id', 'evaluation_team_members.user_id')
				.select('users.name')
				.where('evaluation_team_members.team_role', '=', 'lead')
				.as('lead_name'),
			tenantCountOf(eb, 'findings', 'findings.evaluation_id', 'evaluations.id')
				.where('findings.status', '<>', 'closed')
				.as('open_findings')
		])
		.orderBy(orderOf(page.order))
		.limit(page.limit);
	if (page.after) query = query.where(afterKey(page.order, page.after));
	return query.execute();
}

/** One evaluation with the names around it; `forUpdate` locks it for a step or a new finding. */
export function findEvaluation(tx: Tx, id: string, options: { forUpdate?: boolean } = {}) {
	return evaluationsWithNames(tx)
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
		.where('evaluations.id', '=', id)
		.$if(!!options.forUpdate, (query) => query.forUpdate('evaluations'))
		.executeTakeFirst();
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
	return teamWithUsers(tx)
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

export function isOnTeam(tx: Tx, evaluationId: string, userId: string): Promise<boolean> {
	return hasRow(
		tx
			.selectFrom('evaluation_team_members')
			.select('user_id')
			.where('evaluation_id', '=', evaluationId)
			.where('user_id', '=', userId)
	);
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
		complaintId?: string | null;
		createdAt?: Date;
	}
) {
	return tx
		.insertInto('evaluations')
		.values({
			complaint_id: evaluation.complaintId ?? null,
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
	return updateAtVersion(tx, 'evaluations', id, version, {
		window_start: window.windowStart,
		window_end: window.windowEnd
	});
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
	return updateAtVersion(tx, 'evaluations', id, version, {
		status: to,
		[STEP_TIMESTAMPS[to]]: at ?? sql<Date>`now()`
	});
}

/** The end of the certificate's latest evaluation of one of `kinds` whose report is out. */
export async function lastIssuedEvaluationEnd(
	tx: Tx,
	certificateId: string,
	kinds: readonly EvaluationKind[]
): Promise<string | null> {
	const row = await latestEvaluationsOf(tx, certificateId)
		.select('window_end')
		.where('kind', 'in', kinds)
		.where('status', 'in', ['report_issued', 'closed'])
		.limit(1)
		.executeTakeFirst();
	return row?.window_end ?? null;
}

/** The certificate's evaluations, the latest window first (the newer of two alike first). */
export function latestEvaluationsOf(tx: Tx, certificateId: string) {
	return tx
		.selectFrom('evaluations')
		.where('certificate_id', '=', certificateId)
		.orderBy('window_end', 'desc')
		.orderBy('created_at', 'desc');
}

/** The end of the certificate's latest surveillance whose report is out: the surveillance clock. */
export const lastIssuedSurveillanceEnd = (tx: Tx, certificateId: string) =>
	lastIssuedEvaluationEnd(tx, certificateId, ['surveillance']);

/* The choices a plan is made from. */

/** The tenant's people who may be on an evaluation team (`TEAM_ROLES`). */
export function listTeamCandidates(tx: Tx) {
	return membersWithUsers(tx)
		.select(['users.id', 'users.name', 'users.email', 'memberships.role'])
		.where('memberships.role', 'in', [...TEAM_ROLES])
		.where('memberships.deactivated_at', 'is', null)
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
	return certificatesWithOrganisation(tx)
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

/**
 * Links an initial evaluation to the certificate its grant issued and, when its report was out,
 * closes it (the decision is its last step); undefined when `version` is stale.
 */
export function linkGrantedCertificate(
	tx: Tx,
	id: string,
	version: number,
	change: { certificateId: string; close: boolean }
) {
	return updateAtVersion(tx, 'evaluations', id, version, {
		certificate_id: change.certificateId,
		...(change.close ? { status: 'closed' as const, closed_at: sql<Date>`now()` } : {})
	});
}
