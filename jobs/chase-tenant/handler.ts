import type { JobContext } from '../definition';
import { sweepTenant } from './sweep';
import { requestDeliveries, requestEvidenceChecks } from '../producer-helpers';
import { uncheckedEvidenceIds } from '../../src/lib/server/repositories/evidence-integrity';
import { verifyEvidence } from '../evidence-verify/verify';

/** Evidence older than this and still unchecked has lost its job: the sweep checks it. */
const EVIDENCE_GRACE_MS = 60_000;

export async function handleChaseTenant(context: JobContext, data: { tenantId: string }) {
	const now = context.now();
	const result = await sweepTenant(context.app.db, data.tenantId, now);
	await requestDeliveries(context.producer, data.tenantId, result.outboxIds);
	const unchecked = await context.app.db.inTenant({ tenantId: data.tenantId, userId: null }, (tx) =>
		uncheckedEvidenceIds(tx, new Date(now.getTime() - EVIDENCE_GRACE_MS))
	);
	if (!(await requestEvidenceChecks(context.producer, data.tenantId, unchecked)))
		for (const evidenceId of unchecked)
			await verifyEvidence(
				context.app.db,
				context.app.config.evidenceDir,
				data.tenantId,
				evidenceId,
				now
			);
	return { today: result.today, fired: result.fired, messages: result.outboxIds.length };
}
