import type { Tx } from '../db/tenant-scope';
import type { Actor } from '../actor';
import type { EvaluationStatus } from '../../../../db/schema';
import { isOrgUser } from '../domain/roles';
import { notFound } from '../errors';

/** An organisation sees an evaluation's findings once the report is issued (SPEC §3). */
export const REPORT_ISSUED: readonly EvaluationStatus[] = ['report_issued', 'closed'];

export function organisationMaySee(evaluationStatus: EvaluationStatus): boolean {
	return REPORT_ISSUED.includes(evaluationStatus);
}

/**
 * A finding with its evaluation, if `actor` may see it: CB staff see every finding of the tenant
 * (RLS keeps other tenants out); organisation users see their own organisation's findings of
 * issued reports. Anything else is "not found", so ids of others' findings reveal nothing.
 * `forUpdate` locks the finding row for a transition.
 */
export async function loadVisibleFinding(
	tx: Tx,
	actor: Actor,
	findingId: string,
	options: { forUpdate?: boolean } = {}
) {
	let query = tx
		.selectFrom('findings')
		.innerJoin('evaluations', (join) =>
			join
				.onRef('evaluations.tenant_id', '=', 'findings.tenant_id')
				.onRef('evaluations.id', '=', 'findings.evaluation_id')
		)
		.selectAll('findings')
		.select([
			'evaluations.status as evaluation_status',
			'evaluations.organisation_id',
			'evaluations.certificate_id',
			'evaluations.standard_id',
			'evaluations.kind as evaluation_kind'
		])
		.where('findings.id', '=', findingId);
	if (options.forUpdate) query = query.forUpdate('findings');
	const finding = await query.executeTakeFirst();
	if (!finding) throw notFound();
	if (
		isOrgUser(actor.role) &&
		(finding.organisation_id !== actor.organisationId ||
			!organisationMaySee(finding.evaluation_status))
	)
		throw notFound();
	return { ...finding, reportIssued: organisationMaySee(finding.evaluation_status) };
}

export type VisibleFinding = Awaited<ReturnType<typeof loadVisibleFinding>>;
