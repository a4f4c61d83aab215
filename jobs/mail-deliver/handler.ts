import type { JobContext } from '../definition';
import { deliverTenantOutbox } from '../../src/lib/server/mail/delivery';

export function handleMailDeliver(
	context: JobContext,
	data: { tenantId: string; outboxId: string }
) {
	return deliverTenantOutbox(context.app.db, context.transport, data.tenantId, {
		now: context.now,
		ids: [data.outboxId]
	});
}
