import type { JobContext } from '../definition';
import { sendDigests } from '../../src/lib/server/mail/digest';
import { requestDeliveries } from '../producer-helpers';

export async function handleMailDigest(context: JobContext, data: { tenantId: string }) {
	const ids = await sendDigests(context.app.db, data.tenantId, context.now());
	await requestDeliveries(context.producer, data.tenantId, ids);
	return { digests: ids.length };
}
