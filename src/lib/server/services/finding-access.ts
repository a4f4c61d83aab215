import type { Tx } from '../db/tenant-scope';
import type { Actor } from '../actor';
import type { EvaluationStatus } from '../../../../db/schema';
import { lifecycleSide } from '../domain/permissions';
import { notFound } from '../errors';
import { findFindingWithEvaluation } from '../repositories/findings';

/** An organisation sees an evaluation's findings once the report is issued (SPEC §3). */
export const REPORT_ISSUED: readonly EvaluationStatus[] = ['report_issued', 'closed'];

export function organisationMaySee(evaluationStatus: EvaluationStatus): boolean {
	return REPORT_ISSUED.includes(evaluationStatus);
}

/**
 * A finding with its evaluation, if `actor` may see it: CB staff see every finding of the tenant
 * (RLS keeps other tenants out); organisation users see their own organisation's findings of
 * issued reports. Anything else is "not found", so ids of others' findings reveal nothing.
 * `forUpdate` locks the finding row for a transition. `onTeam` says whether the actor is on the
 * evaluation's team: the subject of the body's capabilities on the finding.
 */
export async function loadVisibleFinding(
	tx: Tx,
	actor: Actor,
	findingId: string,
	options: { forUpdate?: boolean } = {}
) {
	const row = await findFindingWithEvaluation(tx, findingId, actor.userId, options);
	if (!row) throw notFound();
	if (
		lifecycleSide(actor.role) === 'organisation' &&
		(row.organisation_id !== actor.organisationId || !organisationMaySee(row.evaluation_status))
	)
		throw notFound();
	const { on_team, ...finding } = row;
	return {
		...finding,
		onTeam: Boolean(on_team),
		reportIssued: organisationMaySee(finding.evaluation_status)
	};
}

export type VisibleFinding = Awaited<ReturnType<typeof loadVisibleFinding>>;

/** What the body's capabilities on a finding (`finding.review`, `finding.changeDue` …) read. */
export function findingSubject(finding: Pick<VisibleFinding, 'kind' | 'status' | 'onTeam'>) {
	return { kind: finding.kind, status: finding.status, onTeam: finding.onTeam };
}
