import { randomUUID } from 'node:crypto';
import type { Tx } from '../db/tenant-scope';
import type { Locale } from '../../../../db/schema';
import {
	contactsAsRecipients,
	findTenantForMail,
	usersAsRecipients,
	type RecipientRow
} from '../repositories/recipients';
import { insertOutboxRows, type NewOutboxRow } from '../repositories/outbox';
import { insertNotifications, type NewNotification } from '../repositories/notifications';
import { renderMessage, type TemplateName, type TemplateParams } from './templates';

/*
 * The one way to send someone a message: called inside the transaction of the change that causes
 * it, so the message exists exactly when the change does. Each recipient gets the email in their
 * language (the contact's or person's locale, else the tenant's) and, when they have an account,
 * the same message in their in-app notification list.
 */

export type Recipient =
	{ userId: string } | { contactId: string } | { email: string; name?: string; locale?: Locale };

export interface MessageRequest<T extends TemplateName = TemplateName> {
	tenantId: string;
	template: T;
	recipients: Recipient[];
	params: TemplateParams<T>;
	/** The path of the exact page, e.g. `/findings/<id>`; made absolute with ORIGIN. */
	link: string;
	/**
	 * Makes the message once-only: the same key (per recipient) is never written twice. Omit for
	 * events that are unique anyway.
	 */
	dedupeKey?: string;
}

export interface TenantMailContext {
	tenantId: string;
	tenantName: string;
	defaultLocale: Locale;
	origin: string;
}

/** The site's origin for links and Message-IDs (ORIGIN, as adapter-node reads it). */
export function mailOrigin(env: NodeJS.ProcessEnv = process.env): string {
	return (env.ORIGIN || 'http://localhost:3000').replace(/\/+$/, '');
}

export async function tenantMailContext(tx: Tx, tenantId: string): Promise<TenantMailContext> {
	const tenant = await findTenantForMail(tx, tenantId);
	return {
		tenantId,
		tenantName: tenant.name,
		defaultLocale: tenant.default_locale,
		origin: mailOrigin()
	};
}

/** A message for already-resolved recipients: what the sweeps write in bulk. */
export interface ResolvedMessage {
	template: TemplateName;
	recipients: RecipientRow[];
	params: Readonly<Record<string, string | number>>;
	link: string;
	dedupeKey: string;
}

/** A ResolvedMessage whose params are checked against its template. */
export function resolvedMessage<T extends TemplateName>(
	template: T,
	params: TemplateParams<T>,
	message: { recipients: RecipientRow[]; link: string; dedupeKey: string }
): ResolvedMessage {
	return { template, params, ...message };
}

/**
 * Renders and writes messages to resolved recipients: outbox rows (held for digest readers)
 * and notifications. Returns the ids of the outbox rows now pending delivery.
 */
export async function writeMessages(
	tx: Tx,
	context: TenantMailContext,
	messages: ResolvedMessage[]
): Promise<string[]> {
	const rows: NewOutboxRow[] = [];
	const notes: NewNotification[] = [];
	const host = new URL(context.origin).hostname || 'certtrack.local';
	for (const message of messages) {
		const link = absolute(context.origin, message.link);
		const seen = new Set<string>();
		// One message per address; when a contact and a user share it, the user's copy is kept
		// (it carries the in-app notification and the bell count).
		const recipients = [...message.recipients].sort(
			(a, b) => Number(b.userId !== null) - Number(a.userId !== null)
		);
		for (const recipient of recipients) {
			const address = recipient.email.toLowerCase();
			if (seen.has(address)) continue;
			seen.add(address);
			const locale = recipient.locale ?? context.defaultLocale;
			const rendered = renderMessage(message.template, message.params, {
				locale,
				recipientName: recipient.name,
				tenantName: context.tenantName,
				link
			});
			const id = randomUUID();
			const dedupeKey = `${message.dedupeKey}:${address}`;
			rows.push({
				id,
				tenantId: context.tenantId,
				dedupeKey,
				template: message.template,
				toEmail: recipient.email,
				locale,
				subject: rendered.subject,
				textBody: rendered.text,
				htmlBody: rendered.html,
				link,
				messageId: `<${id}@${host}>`,
				recipientUserId: recipient.userId,
				status: recipient.mailMode === 'digest' && recipient.userId ? 'held' : 'pending'
			});
			if (recipient.userId)
				notes.push({
					tenantId: context.tenantId,
					userId: recipient.userId,
					template: message.template,
					title: rendered.title,
					body: rendered.body,
					link,
					dedupeKey: message.dedupeKey
				});
		}
	}
	const pending = await insertOutboxRows(tx, rows);
	await insertNotifications(tx, notes);
	return pending;
}

function absolute(origin: string, link: string): string {
	if (/^https?:\/\//i.test(link)) return link;
	return `${origin}${link.startsWith('/') ? '' : '/'}${link}`;
}

export async function resolveRecipients(tx: Tx, recipients: Recipient[]): Promise<RecipientRow[]> {
	const userIds = recipients.flatMap((r) => ('userId' in r ? [r.userId] : []));
	const contactIds = recipients.flatMap((r) => ('contactId' in r ? [r.contactId] : []));
	const direct = recipients.flatMap((r) =>
		'email' in r
			? [
					{
						email: r.email,
						name: r.name ?? r.email,
						userId: null,
						locale: r.locale ?? null,
						mailMode: 'immediate' as const
					}
				]
			: []
	);
	return [
		...(await usersAsRecipients(tx, userIds)),
		...(await contactsAsRecipients(tx, contactIds)),
		...direct
	];
}

/**
 * Writes one message to each recipient inside `tx` (the caller's transaction). Returns the ids
 * of the outbox rows to deliver; pass them to `requestDelivery(app, tenantId, ids)` (jobs/
 * producer) after the transaction commits for a prompt send — without it, the periodic delivery
 * sends them within its interval anyway.
 */
export async function enqueueMessage<T extends TemplateName>(
	tx: Tx,
	request: MessageRequest<T>
): Promise<string[]> {
	const context = await tenantMailContext(tx, request.tenantId);
	const recipients = await resolveRecipients(tx, request.recipients);
	return writeMessages(tx, context, [
		resolvedMessage(request.template, request.params, {
			recipients,
			link: request.link,
			dedupeKey: request.dedupeKey ?? `${request.template}:${randomUUID()}`
		})
	]);
}
