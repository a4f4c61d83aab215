import { sql } from 'kysely';
import type { Tx } from '../db/tenant-scope';
import type { CertificateStatus, DecisionKind, ScopeItem } from '../../../../db/schema';
import { CERTIFICATE_SUMMARY, certificatesWithNames } from './certificates';
import { tenantJoin } from './tenant-join';
import { latestEvaluationsOf } from './evaluations';
import { personName } from './joins';
import { listGradeLevels as listScaleLevels } from './catalogue';

/* Rows of certification decisions: the certificate they change, its history, the evaluation behind them. */

/** The certificate with its organisation, standard and grade; `forUpdate` locks it for a decision. */
export function findCertificateForDecision(
	tx: Tx,
	certificateId: string,
	options: { forUpdate?: boolean } = {}
) {
	return certificatesWithNames(tx)
		.select([
			...CERTIFICATE_SUMMARY,
			'certificates.grade_level_id',
			'certificates.version',
			'certificates.standard_id',
			'certificates.decided_on',
			'certificates.scope_items',
			'standards.grade_scale_id',
			'grade_levels.code as grade_code'
		])
		.where('certificates.id', '=', certificateId)
		.$if(!!options.forUpdate, (query) => query.forUpdate('certificates'))
		.executeTakeFirst();
}

/** The grades of a scale, best first (the catalogue's read of the levels, for one scale). */
export const listGradeLevels = (tx: Tx, gradeScaleId: string) =>
	listScaleLevels(tx, [gradeScaleId]);

/** Evaluations of the certificate whose report is out: what a decision can follow, newest first. */
export function listDecidableEvaluations(tx: Tx, certificateId: string) {
	return latestEvaluationsOf(tx, certificateId)
		.select(['id', 'kind', 'status', 'window_start', 'window_end', 'report_issued_at', 'closed_at'])
		.where('status', 'in', ['report_issued', 'closed'])
		.execute();
}

/** The certificate's most recent evaluation (latest window), whatever its status; null if none. */
export async function latestEvaluationId(tx: Tx, certificateId: string): Promise<string | null> {
	const row = await latestEvaluationsOf(tx, certificateId).select('id').limit(1).executeTakeFirst();
	return row?.id ?? null;
}

/** The findings of evaluations, as the decision rules read them. */
export function listEvaluationFindings(tx: Tx, evaluationIds: string[]) {
	if (evaluationIds.length === 0) return Promise.resolve([]);
	return tx
		.selectFrom('findings')
		.select(['id', 'evaluation_id', 'reference', 'kind', 'grade', 'status'])
		.where('evaluation_id', 'in', evaluationIds)
		.orderBy('reference')
		.execute();
}

/** The evaluations (of `evaluationIds`) that `userId` was on the team of. */
export async function evaluationsWithMember(tx: Tx, evaluationIds: string[], userId: string) {
	if (evaluationIds.length === 0) return new Set<string>();
	const rows = await tx
		.selectFrom('evaluation_team_members')
		.select('evaluation_id')
		.where('evaluation_id', 'in', evaluationIds)
		.where('user_id', '=', userId)
		.execute();
	return new Set(rows.map((row) => row.evaluation_id));
}

export function insertDecision(
	tx: Tx,
	decision: {
		tenantId: string;
		certificateId: string;
		evaluationId: string | null;
		kind: DecisionKind;
		reason: string;
		newGradeLevelId: string | null;
		newScope: string | null;
		/** Extend or reduce scope: the items the certificate is left with. */
		newScopeItems?: ScopeItem[] | null;
		/** Renew: the new last valid day. */
		newExpiresOn?: string | null;
		decidedBy: string;
		decidedOn: string;
	}
) {
	return tx
		.insertInto('decisions')
		.values({
			tenant_id: decision.tenantId,
			certificate_id: decision.certificateId,
			evaluation_id: decision.evaluationId,
			kind: decision.kind,
			reason: decision.reason,
			new_grade_level_id: decision.newGradeLevelId,
			new_scope: decision.newScope,
			new_scope_items: decision.newScopeItems ? JSON.stringify(decision.newScopeItems) : null,
			new_expires_on: decision.newExpiresOn ?? null,
			decided_by: decision.decidedBy,
			decided_on: decision.decidedOn
		})
		.returningAll()
		.executeTakeFirstOrThrow();
}

/** Applies a decision to the certificate; undefined when its version moved on meanwhile. */
export function updateCertificateAfterDecision(
	tx: Tx,
	certificateId: string,
	version: number,
	change: {
		status: CertificateStatus;
		gradeLevelId: string | null;
		scope: string;
		/** Extend or reduce scope: the items the decision leaves. */
		scopeItems?: ScopeItem[] | null;
		/** Renew: the new cycle's expiry, decided on `decidedOn`. */
		renewal?: { expiresOn: string; decidedOn: string } | null;
	}
) {
	return tx
		.updateTable('certificates')
		.set({
			status: change.status,
			grade_level_id: change.gradeLevelId,
			scope: change.scope,
			...(change.scopeItems ? { scope_items: JSON.stringify(change.scopeItems) } : {}),
			...(change.renewal
				? { expires_on: change.renewal.expiresOn, decided_on: change.renewal.decidedOn }
				: {}),
			version: sql<number>`version + 1`,
			updated_at: sql<Date>`now()`
		})
		.where('id', '=', certificateId)
		.where('version', '=', version)
		.returning([
			'id',
			'status',
			'grade_level_id',
			'scope',
			'scope_items',
			'expires_on',
			'decided_on',
			'version'
		])
		.executeTakeFirst();
}

/**
 * Every decision taken on a certificate, newest first: a "maintain" changes nothing on the
 * certificate and so has no history row, but it is a decision all the same and is listed.
 */
export function listCertificateDecisions(tx: Tx, certificateId: string) {
	return decisionsNewestFirst(tx)
		.leftJoin('evaluations', tenantJoin('evaluations', 'decisions.evaluation_id'))
		.select([
			'decisions.decided_at',
			'decisions.evaluation_id',
			'evaluations.kind as evaluation_kind',
			'evaluations.window_start as evaluation_window_start'
		])
		.where('decisions.certificate_id', '=', certificateId)
		.execute();
}

/** The decisions that followed one evaluation, newest first (shown on the evaluation's page). */
export function listEvaluationDecisions(tx: Tx, evaluationId: string) {
	return decisionsNewestFirst(tx).where('decisions.evaluation_id', '=', evaluationId).execute();
}

/** Decisions as both lists show them, with who decided, newest first. */
function decisionsNewestFirst(tx: Tx) {
	return tx
		.selectFrom('decisions')
		.select((eb) => [
			'decisions.id',
			'decisions.kind',
			'decisions.reason',
			'decisions.decided_on',
			personName(eb, 'decisions.decided_by').as('decided_by_name')
		])
		.orderBy('decisions.decided_at', 'desc');
}

/**
 * The evaluations (of `evaluationIds`) that have already renewed their certificate: a
 * recertification renews once each.
 */
export async function renewedEvaluationIds(
	tx: Tx,
	evaluationIds: readonly string[]
): Promise<Set<string>> {
	if (evaluationIds.length === 0) return new Set();
	const rows = await tx
		.selectFrom('decisions')
		.select('evaluation_id')
		.distinct()
		.where('evaluation_id', 'in', evaluationIds)
		.where('kind', '=', 'renew')
		.execute();
	return new Set(rows.flatMap((row) => (row.evaluation_id ? [row.evaluation_id] : [])));
}
