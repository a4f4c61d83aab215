import type { JobContext } from '../definition';
import { deliverTenantOutbox } from '../../src/lib/server/mail/delivery';

export function handleMailSweep(context: JobContext, data: { tenantId: string }) {
	return deliverTenantOutbox(context.app.db, context.transport, data.tenantId, {
		now: context.now,
		maxBatches: 100
	});
}
