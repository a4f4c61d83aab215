import type { ExpressionBuilder, ExpressionWrapper, Selectable, SelectQueryBuilder } from 'kysely';
import type { Database } from '../../../../db/schema';
import type { Tx } from '../db/tenant-scope';
import { tenantJoin, tenantRowsOf } from './tenant-join';

/*
 * The joins several repositories start from, written once: a finding read with its evaluation
 * (and the evaluation's organisation), a certificate with its organisation, an evaluation with
 * the names a page shows, a membership or a team member with the person. Each query adds its
 * own joins, columns and filters.
 */

export function findingsWithEvaluation(tx: Tx) {
	return tx
		.selectFrom('findings')
		.innerJoin('evaluations', tenantJoin('evaluations', 'findings.evaluation_id'));
}

export function findingsWithOrganisation(tx: Tx) {
	return findingsWithEvaluation(tx).innerJoin(
		'organisations',
		tenantJoin('organisations', 'evaluations.organisation_id')
	);
}

export function certificatesWithOrganisation(tx: Tx) {
	return tx
		.selectFrom('certificates')
		.innerJoin('organisations', tenantJoin('organisations', 'certificates.organisation_id'));
}

/** An evaluation with its organisation, standard and (when it has one) certificate. */
export function evaluationsWithNames(tx: Tx) {
	return tx
		.selectFrom('evaluations')
		.innerJoin('organisations', tenantJoin('organisations', 'evaluations.organisation_id'))
		.innerJoin('standards', tenantJoin('standards', 'evaluations.standard_id'))
		.leftJoin('certificates', tenantJoin('certificates', 'evaluations.certificate_id'));
}

/** The tenant's memberships with the person (users are not tenant rows: joined by id). */
export function membersWithUsers(tx: Tx) {
	return tx.selectFrom('memberships').innerJoin('users', 'users.id', 'memberships.user_id');
}

/** A membership as the member lists show it. */
export const MEMBER_COLUMNS = [
	'memberships.id',
	'memberships.role',
	'memberships.created_at',
	'users.id as user_id',
	'users.name',
	'users.email'
] as const;

/** Evaluation team members with the person. */
export function teamWithUsers(tx: Tx) {
	return tx
		.selectFrom('evaluation_team_members')
		.innerJoin('users', 'users.id', 'evaluation_team_members.user_id');
}

/** The team of the outer row's evaluation (`evaluationKey`: its id, or a finding's evaluation_id). */
export function teamOf<TB extends keyof Database>(
	eb: ExpressionBuilder<Database, TB>,
	evaluationKey: 'evaluations.id' | 'findings.evaluation_id'
): SelectQueryBuilder<Database, 'evaluation_team_members', object> {
	// The subquery reads only the team's columns: the outer tables need not stay in its type.
	return tenantRowsOf(
		eb,
		'evaluation_team_members',
		'evaluation_team_members.evaluation_id',
		evaluationKey
	) as never;
}

/** The outer row's evaluation's lead evaluator, as a scalar subquery (one, should two be recorded). */
export function leadOf<TB extends keyof Database>(
	eb: ExpressionBuilder<Database, TB>,
	evaluationKey: 'evaluations.id' | 'findings.evaluation_id'
) {
	return teamOf(eb, evaluationKey)
		.select('evaluation_team_members.user_id')
		.where('evaluation_team_members.team_role', '=', 'lead')
		.limit(1);
}

/** The columns that hold a person's id, by table. */
type PersonColumn =
	| 'audit_log.actor_user_id'
	| 'certificate_history.recorded_by'
	| 'decisions.decided_by'
	| 'evidence.uploaded_by'
	| 'evidence_submissions.submitted_by'
	| 'evidence_submissions.verdict_by'
	| 'evidence.reviewed_by'
	| 'findings.raised_by'
	| 'responses.submitted_by'
	| 'responses.reviewed_by';

/** Null where the column may be empty (no actor, not reviewed yet), as the column itself. */
type PersonName<C extends PersonColumn> = C extends `${infer T extends keyof Database}.${infer K}`
	? K extends keyof Selectable<Database[T]>
		? null extends Selectable<Database[T]>[K]
			? string | null
			: string
		: never
	: never;

/**
 * The name of the person whose id the outer row holds in `column`: what a list shows of who did
 * something. A scalar subquery on the users' key (users are not tenant rows), so a query names as
 * many people as it needs without a join and an alias for each.
 */
export function personName<DB, TB extends keyof DB, C extends PersonColumn>(
	eb: ExpressionBuilder<DB, TB>,
	column: C
): ExpressionWrapper<DB, TB, PersonName<C>> {
	// The subquery's type need not carry the outer tables (nor the column's table), hence the casts.
	return (eb as unknown as ExpressionBuilder<Database, 'users'>)
		.selectFrom('users')
		.select('users.name')
		.whereRef('users.id', '=', column as never)
		.$asScalar() as never;
}
