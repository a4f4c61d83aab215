import { randomUUID } from 'node:crypto';
import type { Tx } from '../db/tenant-scope';
import type { Locale } from '../../../../db/schema';
import {
	contactsAsRecipients,
	findTenantForMail,
	usersAsRecipients,
	type RecipientRow
} from '../repositories/recipients';
import { insertOutboxRows, type NewOutboxRow, type StoredMessage } from '../repositories/outbox';

export type { StoredMessage };
import { insertNotifications, type NewNotification } from '../repositories/notifications';
import {
	isTemplateName,
	renderMessage,
	renderSummary,
	type RenderedMessage,
	type TemplateName,
	type TemplateParams
} from './templates';

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
 * What an outbox row keeps to render its text and HTML parts when it is sent: every value the
 * message shows, frozen in the cause's transaction (a name or title changed later does not
 * change a message already written). The subject is rendered and stored with it.
 */
export interface StoredParams {
	values: Readonly<Record<string, string | number>>;
	recipientName: string;
	tenantName: string;
	/** The digest's list of links. */
	items?: { title: string; link: string }[];
}

/**
 * Writes messages to resolved recipients: outbox rows (held for digest readers) and
 * notifications. Only the subject and the body sentence are rendered here (once per message and
 * locale); the delivery renders the text and HTML parts from the row's params. Returns the ids
 * of the outbox rows now pending delivery.
 */
export async function writeMessages(
	tx: Tx,
	context: TenantMailContext,
	messages: ResolvedMessage[]
): Promise<string[]> {
	const rows: NewOutboxRow[] = [];
	const notes: NewNotification[] = [];
	const host = mailHost(context.origin);
	for (const message of messages) {
		const link = absolute(context.origin, message.link);
		const summaries = new Map<Locale, { subject: string; body: string }>();
		const summaryIn = (locale: Locale) => {
			let hit = summaries.get(locale);
			if (!hit) {
				hit = renderSummary(message.template, message.params, locale);
				summaries.set(locale, hit);
			}
			return hit;
		};
		for (const recipient of distinctRecipients(message.recipients)) {
			const address = recipient.email.toLowerCase();
			const locale = recipient.locale ?? context.defaultLocale;
			const summary = summaryIn(locale);
			const id = randomUUID();
			const params: StoredParams = {
				values: message.params,
				recipientName: recipient.name,
				tenantName: context.tenantName
			};
			rows.push({
				id,
				tenantId: context.tenantId,
				dedupeKey: `${message.dedupeKey}:${address}`,
				template: message.template,
				toEmail: recipient.email,
				locale,
				subject: summary.subject,
				link,
				messageId: `<${id}@${host}>`,
				recipientUserId: recipient.userId,
				status: recipient.mailMode === 'digest' && recipient.userId ? 'held' : 'pending',
				params: { ...params }
			});
			if (recipient.userId)
				notes.push({
					tenantId: context.tenantId,
					userId: recipient.userId,
					template: message.template,
					title: summary.subject,
					body: summary.body,
					link,
					dedupeKey: message.dedupeKey
				});
		}
	}
	const pending = await insertOutboxRows(tx, rows);
	await insertNotifications(tx, notes);
	return pending;
}

/** The host part of Message-IDs. */
export function mailHost(origin: string): string {
	return new URL(origin).hostname || 'certtrack.local';
}

/**
 * One message per address; when a contact and a user share it, the user's copy is kept (it
 * carries the in-app notification and the bell count).
 */
export function distinctRecipients(recipients: readonly RecipientRow[]): RecipientRow[] {
	const seen = new Set<string>();
	return [...recipients]
		.sort((a, b) => Number(b.userId !== null) - Number(a.userId !== null))
		.filter((recipient) => {
			const address = recipient.email.toLowerCase();
			if (seen.has(address)) return false;
			seen.add(address);
			return true;
		});
}

/** The marker the database replaces by a row's value (repositories/chase fireDueReminders). */
export const fieldMarker = (field: string) => `\u001f${field}\u001f`;

/**
 * The subject and body sentence of `template` in `locale` with each of `fields` left as its
 * marker, for the database to fill in row by row (plain substitution); `values` holds the rest.
 * Null when substitution would not give what rendering gives (a text that does more with a
 * field than show it): a trial with sample values decides, and the caller renders row by row.
 */
export function markedSummary(
	template: TemplateName,
	values: Readonly<Record<string, string | number>>,
	fields: readonly string[],
	locale: Locale
): { subject: string; body: string } | null {
	const marked = renderSummary(
		template,
		{ ...values, ...Object.fromEntries(fields.map((field) => [field, fieldMarker(field)])) },
		locale
	);
	const sample = Object.fromEntries(fields.map((field) => [field, `‹${field} ${field.length}›`]));
	const expected = renderSummary(template, { ...values, ...sample }, locale);
	const fill = (text: string) =>
		fields.reduce((filled, field) => filled.replaceAll(fieldMarker(field), sample[field]!), text);
	return fill(marked.subject) === expected.subject && fill(marked.body) === expected.body
		? marked
		: null;
}

function isValues(value: unknown): value is Record<string, string | number> {
	return (
		typeof value === 'object' &&
		value !== null &&
		Object.values(value).every((v) => typeof v === 'string' || typeof v === 'number')
	);
}

function storedParams(value: unknown): StoredParams | null {
	if (typeof value !== 'object' || value === null) return null;
	const p = value as Partial<Record<keyof StoredParams, unknown>>;
	if (!isValues(p.values) || typeof p.recipientName !== 'string') return null;
	if (typeof p.tenantName !== 'string') return null;
	const items = p.items === undefined ? [] : p.items;
	if (
		!Array.isArray(items) ||
		!items.every(
			(item: unknown) =>
				typeof item === 'object' &&
				item !== null &&
				typeof (item as { title?: unknown }).title === 'string' &&
				typeof (item as { link?: unknown }).link === 'string'
		)
	)
		return null;
	return {
		values: p.values,
		recipientName: p.recipientName,
		tenantName: p.tenantName,
		items: items as StoredParams['items']
	};
}

/**
 * The subject, text and HTML of a stored message: rendered from its params (the MJML layout is
 * compiled once per process), or, for a row written before params existed, its stored bodies.
 * With `logoCid` the HTML shows the body's logo from that inline part; `withLogo` says whether
 * it does (so the sender attaches the part only to a message that references it).
 * Throws when the row holds neither in a readable form (the delivery fails it for good).
 */
export function messageContent(
	row: StoredMessage,
	options: { logoCid?: string } = {}
): Pick<RenderedMessage, 'subject' | 'text' | 'html'> & { withLogo: boolean } {
	if (row.params === null || row.params === undefined) {
		if (row.text_body === null || row.html_body === null)
			throw new Error('outbox row has neither params nor rendered bodies');
		// Its HTML was frozen without the logo slot: an attached logo would show as a stray file.
		return { subject: row.subject, text: row.text_body, html: row.html_body, withLogo: false };
	}
	const params = storedParams(row.params);
	if (!params || !isTemplateName(row.template))
		throw new Error(`outbox row of template ${row.template}: unreadable params`);
	const rendered = renderMessage(row.template, params.values, {
		locale: row.locale,
		recipientName: params.recipientName,
		tenantName: params.tenantName,
		link: row.link,
		items: params.items,
		accountHolder: row.recipient_user_id !== null,
		...(options.logoCid ? { logoCid: options.logoCid } : {})
	});
	// The subject was decided (and shown on the Deliveries page) when the row was written.
	return {
		subject: row.subject,
		text: rendered.text,
		html: rendered.html,
		withLogo: Boolean(options.logoCid)
	};
}

export function absolute(origin: string, link: string): string {
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
