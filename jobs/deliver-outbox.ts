import { z } from 'zod';
import { defineJob } from './definition';
import { listTenantIds } from '../src/lib/server/db/tenant-scope';
import {
	claimDueMessages,
	markFailedAttempt,
	markSent
} from '../src/lib/server/repositories/outbox';
import { nextMailAttempt } from '../src/lib/server/domain/mail-retry';
import { createMailTransport, type MailTransport } from '../src/lib/server/mail/transport';
import type { App } from '../src/lib/server/app';

const BATCH = 50;

/**
 * Delivers what the outbox holds, tenant by tenant, each in its own tenant-scoped transaction.
 * A message is marked sent in the transaction that sent it; a failure schedules a retry.
 */
export async function deliverOutbox(app: App, transport: MailTransport, now = new Date()) {
	let sent = 0;
	let failed = 0;
	for (const tenantId of await listTenantIds(app.db)) {
		await app.db.inTenant({ tenantId, userId: null }, async (tx) => {
			for (const message of await claimDueMessages(tx, now, BATCH)) {
				try {
					await transport.send({
						id: message.id,
						to: message.to_email,
						subject: message.subject,
						text: message.text_body,
						html: message.html_body
					});
					await markSent(tx, message.id, now);
					sent++;
				} catch (error) {
					const reason = error instanceof Error ? error.message : String(error);
					await markFailedAttempt(tx, message.id, reason, nextMailAttempt(message.attempts, now));
					failed++;
				}
			}
		});
	}
	return { sent, failed };
}

let transport: MailTransport | null = null;

export const deliverOutboxJob = defineJob({
	name: 'deliver-outbox',
	schema: z.object({}).passthrough(),
	everyMs: 30_000,
	handle: (app: App) => {
		transport ??= createMailTransport(app.config);
		return deliverOutbox(app, transport);
	}
});
