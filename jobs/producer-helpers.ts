import type { Producer } from './producer';
import { jobId } from './producer';
import { DELIVERY_BATCH, mailDeliver } from './mail-deliver/definition';
import { evidenceVerify } from './evidence-verify/definition';

/**
 * One delivery job per batch of new outbox rows (named after its first row, so asking twice
 * for the same batch adds one job); false when they could not be added (no Redis).
 */
export function requestDeliveries(producer: Producer, tenantId: string, outboxIds: string[]) {
	if (outboxIds.length === 0) return Promise.resolve(true);
	const jobs = [];
	for (let i = 0; i < outboxIds.length; i += DELIVERY_BATCH) {
		const batch = outboxIds.slice(i, i + DELIVERY_BATCH);
		jobs.push({
			data: { tenantId, outboxIds: batch },
			options: { jobId: jobId('mail', batch[0]!, batch.length) }
		});
	}
	return producer.addBulk(mailDeliver, jobs);
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
