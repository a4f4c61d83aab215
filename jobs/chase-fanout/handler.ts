import { listTenantIds } from '../../src/lib/server/db/tenant-scope';
import type { JobContext } from '../definition';
import { jobId } from '../producer';
import { chaseTenant, CHASE_WINDOW_MS } from '../chase-tenant/definition';
import { mailSweep } from '../mail-sweep/definition';
import { mailDigest } from '../mail-digest/definition';

const MAIL_WINDOW_MS = 60_000;
const DIGEST_WINDOW_MS = 60 * 60_000;

/** The start of the window `now` falls in, as an id part: '2026-12-02T08-25'. */
export function windowOf(now: Date, size: number): string {
	return new Date(Math.floor(now.getTime() / size) * size)
		.toISOString()
		.slice(0, 16)
		.replace(':', '-');
}

/**
 * The clock's tick: one job per tenant and sweep. The job id is tenant + window, so a second
 * scheduler, a retried tick or another worker adds nothing new within the window.
 */
export async function handleChaseFanout(context: JobContext): Promise<{ tenants: number }> {
	const now = context.now();
	const tenants = await listTenantIds(context.app.db);
	const chase = windowOf(now, CHASE_WINDOW_MS);
	const mail = windowOf(now, MAIL_WINDOW_MS);
	const digest = windowOf(now, DIGEST_WINDOW_MS);
	await context.producer.addBulk(
		chaseTenant,
		tenants.map((tenantId) => ({
			data: { tenantId, window: chase },
			options: { jobId: jobId('chase', tenantId, chase) }
		}))
	);
	await context.producer.addBulk(
		mailSweep,
		tenants.map((tenantId) => ({
			data: { tenantId, window: mail },
			options: { jobId: jobId('mailsweep', tenantId, mail) }
		}))
	);
	await context.producer.addBulk(
		mailDigest,
		tenants.map((tenantId) => ({
			data: { tenantId, window: digest },
			options: { jobId: jobId('digest', tenantId, digest) }
		}))
	);
	return { tenants: tenants.length };
}
