import type { JobContext } from '../definition';
import { verifyEvidence } from './verify';
import { requestDeliveries } from '../producer-helpers';

export async function handleEvidenceVerify(
	context: JobContext,
	data: { tenantId: string; evidenceId: string }
) {
	const result = await verifyEvidence(
		context.app.db,
		context.app.config.evidenceDir,
		data.tenantId,
		data.evidenceId,
		context.now()
	);
	if (result) await requestDeliveries(context.producer, data.tenantId, result.outboxIds);
	return result ? { status: result.status, problem: result.problem } : { skipped: true };
}
