import type { Producer } from './producer';
import { jobId } from './producer';
import { mailDeliver } from './mail-deliver/definition';
import { evidenceVerify } from './evidence-verify/definition';

/** One delivery job per new outbox row; false when they could not be added (no Redis). */
export function requestDeliveries(producer: Producer, tenantId: string, outboxIds: string[]) {
	if (outboxIds.length === 0) return Promise.resolve(true);
	return producer.addBulk(
		mailDeliver,
		outboxIds.map((outboxId) => ({
			data: { tenantId, outboxId },
			options: { jobId: jobId('mail', outboxId) }
		}))
	);
}

export function requestEvidenceChecks(producer: Producer, tenantId: string, evidenceIds: string[]) {
	if (evidenceIds.length === 0) return Promise.resolve(true);
	return producer.addBulk(
		evidenceVerify,
		evidenceIds.map((evidenceId) => ({
			data: { tenantId, evidenceId },
			options: { jobId: jobId('evidence', evidenceId) }
		}))
	);
}
