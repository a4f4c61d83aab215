import type { JobContext } from '../definition';
import { deliverTenantOutbox } from '../../src/lib/server/mail/delivery';
import { DELIVERY_BATCH } from './definition';

export function handleMailDeliver(
	context: JobContext,
	data: { tenantId: string; outboxIds: string[] }
) {
	return deliverTenantOutbox(context.app.db, context.transport, data.tenantId, {
		now: context.now,
		ids: data.outboxIds,
		batch: DELIVERY_BATCH
	});
}
