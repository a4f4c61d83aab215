import type { AppDatabase } from '../db/tenant-scope';
import {
	claimDueMessages,
	markFailedAttempt,
	markSent,
	type ClaimedMessage
} from '../repositories/outbox';
import { afterFailure, MAIL_LEASE_MS } from '../domain/mail-retry';
import { isPermanentMailError, type MailLogo, type MailTransport } from './transport';
import { messageContent } from './outbox';
import { findMailLogo, findMailSenderName } from '../repositories/recipients';

/*
 * Delivery in three steps, never holding a transaction while talking to the mail server:
 *   1. claim: lease due rows (FOR UPDATE SKIP LOCKED) and commit;
 *   2. render each from its stored params (outbox.ts `messageContent`) and send it, outside any
 *      transaction, with its stable Message-ID;
 *   3. mark: sent, or a failed attempt with the next try (or failed for good).
 * A crash between 2 and 3 leaves the lease to run out; the row is sent again with the same
 * Message-ID. Nothing is ever marked sent that was not handed to the server.
 */

export interface DeliveryOptions {
	now?: () => Date;
	batch?: number;
	/** Messages in flight at once. */
	concurrency?: number;
	leaseMs?: number;
	/** Only these outbox rows (a per-message job). */
	ids?: string[];
	/** Stop after this many batches (the sweep is re-run on its schedule anyway). */
	maxBatches?: number;
}

export interface DeliveryResult {
	sent: number;
	failed: number;
}

interface Failure {
	message: ClaimedMessage;
	error: unknown;
	permanent: boolean;
}

async function sendAll(
	transport: MailTransport,
	messages: ClaimedMessage[],
	concurrency: number,
	fromName: string,
	logo: MailLogo | null
): Promise<{ sent: string[]; failures: Failure[] }> {
	const sent: string[] = [];
	const failures: Failure[] = [];
	let next = 0;
	const lane = async () => {
		while (next < messages.length) {
			const message = messages[next++]!;
			let content;
			try {
				content = messageContent(message, logo ? { logoCid: logo.cid } : {});
			} catch (error) {
				// Unreadable content will not become readable: failed for good, shown on Deliveries.
				failures.push({ message, error, permanent: true });
				continue;
			}
			try {
				await transport.send({
					id: message.id,
					messageId: message.message_id ?? `<${message.id}@certtrack.local>`,
					to: message.to_email,
					...(fromName ? { fromName } : {}),
					...(logo && content.withLogo ? { logo } : {}),
					subject: content.subject,
					text: content.text,
					html: content.html
				});
				sent.push(message.id);
			} catch (error) {
				failures.push({ message, error, permanent: isPermanentMailError(error) });
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, messages.length) }, lane));
	return { sent, failures };
}

/** The inline part of a body's logo; its Content-ID names the tenant, never another's. */
function mailLogo(
	tenantId: string,
	found: { bytes: Buffer; type: 'image/png' | 'image/jpeg' } | null
): MailLogo | null {
	if (!found) return null;
	return {
		filename: found.type === 'image/png' ? 'logo.png' : 'logo.jpg',
		content: found.bytes,
		contentType: found.type,
		cid: `logo-${tenantId}@certtrack.local`
	};
}

/** Delivers the tenant's due messages, batch by batch, until none is left (or maxBatches). */
export async function deliverTenantOutbox(
	db: AppDatabase,
	transport: MailTransport,
	tenantId: string,
	options: DeliveryOptions = {}
): Promise<DeliveryResult> {
	const clock = options.now ?? (() => new Date());
	const batch = options.batch ?? 50;
	const scope = { tenantId, userId: null };
	const result: DeliveryResult = { sent: 0, failed: 0 };
	// The logo (up to a few hundred KB) is read once per run, in its first batch that has mail,
	// and shared by every message of the run: undefined = not read yet, null = the body has none.
	let logo: MailLogo | null | undefined;
	for (let round = 0; round < (options.maxBatches ?? Infinity); round++) {
		const now = clock();
		const { claimed, fromName } = await db.inTenant(scope, async (tx) => {
			const claimed = await claimDueMessages(tx, now, batch, {
				leasedUntil: new Date(now.getTime() + (options.leaseMs ?? MAIL_LEASE_MS)),
				ids: options.ids
			});
			if (claimed.length > 0 && logo === undefined)
				logo = mailLogo(tenantId, await findMailLogo(tx, tenantId));
			return {
				claimed,
				// Read as it is sent (issue 12 item 8): a body that renames its sender is heard so at once.
				fromName: await findMailSenderName(tx, tenantId)
			};
		});
		if (claimed.length === 0) break;
		const { sent, failures } = await sendAll(
			transport,
			claimed,
			options.concurrency ?? 8,
			fromName,
			logo ?? null
		);
		const markedAt = clock();
		await db.inTenant(scope, async (tx) => {
			await markSent(tx, sent, markedAt);
			for (const { message, error, permanent } of failures) {
				const reason = error instanceof Error ? error.message : String(error);
				await markFailedAttempt(
					tx,
					message.id,
					reason,
					afterFailure(message.attempts, markedAt, permanent)
				);
			}
		});
		result.sent += sent.length;
		result.failed += failures.length;
		if (options.ids || claimed.length < batch) break;
	}
	return result;
}
