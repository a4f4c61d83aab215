import type { Locale } from '../../../../db/schema';
import { hasMessage, translate } from '../i18n/translate';
import { escapeHtml, renderLayout } from './html';

/*
 * Every email the product sends, by template name, with the parameters its texts use. The texts
 * live in messages/chase/{en,zh-CN}.json as `chase_mail_<name>_subject|_body|_action`; a
 * template renders the subject, a plain-text part and an HTML part (an MJML layout compiled once,
 * filled with escaped values: html.ts) in the recipient's locale, each with the link to the exact page.
 */

export const TEMPLATES = {
	'finding.due_reminder': ['reference', 'days', 'dueOn', 'statement'],
	'finding.due_today': ['reference', 'dueOn', 'statement'],
	'finding.overdue': ['reference', 'days', 'dueOn', 'statement'],
	'finding.escalation': ['reference', 'organisation', 'days', 'dueOn'],
	'finding.suspension_due': ['reference', 'organisation', 'dueOn', 'certificate', 'suspendBy'],
	'finding.regraded': ['reference', 'organisation', 'dueOn'],
	'finding.follow_up_check': ['reference', 'organisation', 'checkOn'],
	'certificate.withdrawal_proposal': ['certificate', 'organisation', 'suspendedOn', 'months'],
	'certificate.expiry_reminder': ['certificate', 'organisation', 'months', 'expiresOn'],
	'certificate.expired': ['certificate', 'organisation', 'expiresOn'],
	'surveillance.due_reminder': ['certificate', 'organisation', 'days', 'dueOn'],
	'surveillance.overdue': ['certificate', 'organisation', 'days', 'dueOn'],
	// `obligation` is the Chinese title, `obligationEn` the English one ('' when none): each
	// recipient reads the title in their language (localisedValues).
	'obligation.due_reminder': ['obligation', 'obligationEn', 'dueOn', 'periodStart', 'periodEnd'],
	'obligation.overdue': ['obligation', 'obligationEn', 'days', 'dueOn', 'periodStart', 'periodEnd'],
	'evidence.ready_for_review': ['reference', 'fileName'],
	'evidence.integrity_problem': ['reference', 'fileName', 'problem'],
	'evidence.duplicate': ['reference', 'fileName', 'duplicateOf'],
	// Event messages, written by the services in the transaction of the transition.
	'report.issued': ['organisation', 'count', 'dueOn'],
	'finding.plan_sent_back': ['reference', 'comment'],
	'finding.plan_accepted': ['reference', 'dueOn'],
	'finding.response_submitted': ['reference', 'organisation'],
	'finding.evidence_submitted': ['reference', 'organisation'],
	'finding.evidence_rejected': ['reference', 'comment'],
	'finding.evidence_verified': ['reference'],
	'certificate.decision_taken': ['certificate', 'decision'],
	// Recurring obligations (texts in messages/obligations): submitted (the body), rejected (the organisation).
	'obligation.submitted': [
		'obligation',
		'obligationEn',
		'organisation',
		'periodStart',
		'periodEnd'
	],
	'obligation.rejected': ['obligation', 'obligationEn', 'periodStart', 'periodEnd', 'comment'],
	'finding.due_changed': ['reference', 'fromDueOn', 'dueOn', 'reason'],
	'membership.invitation': ['tenant'],
	// Issue 12 item 7 (texts in messages/people): the reset link, good for `minutes`.
	'person.password_reset': ['minutes'],
	// Complaints (issue 13 item 4; texts in messages/complaints): to the complainant, who has no
	// account — the receipt with the reference, then each step the body takes.
	'complaint.received': ['reference'],
	'complaint.status_changed': ['reference', 'status'],
	digest: ['count', 'date']
} as const satisfies Record<string, readonly string[]>;

export type TemplateName = keyof typeof TEMPLATES;
export type TemplateParams<T extends TemplateName> = Record<
	(typeof TEMPLATES)[T][number],
	string | number
>;

export function isTemplateName(value: string): value is TemplateName {
	return Object.hasOwn(TEMPLATES, value);
}

/** The message key stem of a template: 'finding.due_reminder' → 'chase_mail_finding_due_reminder'. */
function stem(template: TemplateName): string {
	return `chase_mail_${template.replace('.', '_')}`;
}

export interface RenderedMessage {
	subject: string;
	text: string;
	html: string;
	/** The short form for the in-app notification list. */
	title: string;
	body: string;
}

export interface RenderContext {
	locale: Locale;
	recipientName: string;
	tenantName: string;
	/** Absolute URL of the page the message is about. */
	link: string;
	/** Extra HTML-safe rows under the body (the digest's list); each is escaped here. */
	items?: { title: string; link: string }[];
	/**
	 * Whether the recipient has an account (the outbox row's `recipient_user_id`): only then does
	 * the footer send them to their notification settings. Default: they do.
	 */
	accountHolder?: boolean;
	/** The Content-ID of the body's logo sent inline with the message; absent: no logo. */
	logoCid?: string;
}

/**
 * Messages to someone without an account whose footer links a page of their own instead of
 * /notifications: the complainant checks their complaint's status on the page the message is
 * about (issue 13 item 4), with the reference in its address.
 */
const OWN_PAGE_FOOTER: Partial<Record<TemplateName, { text: string; action: string }>> = {
	'complaint.received': {
		text: 'complaints_mail_footer_status',
		action: 'complaints_mail_footer_status_action'
	},
	'complaint.status_changed': {
		text: 'complaints_mail_footer_status',
		action: 'complaints_mail_footer_status_action'
	}
};

/** Why a recipient without an account gets `template`, when the general sentence would be wrong. */
function reasonKey(template: TemplateName, accountHolder: boolean): string {
	const own = `${stem(template)}_reason`;
	return !accountHolder && hasMessage(own) ? own : 'chase_mail_footer';
}

function footerLink(
	template: TemplateName,
	context: RenderContext
): { text: string; action: string; href: string } | null {
	const own = OWN_PAGE_FOOTER[template];
	if (own)
		return {
			text: translate(own.text, context.locale),
			action: translate(own.action, context.locale),
			href: context.link
		};
	if (context.accountHolder === false) return null;
	return {
		text: translate('mail_layout_settings', context.locale),
		action: translate('mail_layout_settings_action', context.locale),
		href: settingsPage(context.link)
	};
}

function settingsPage(link: string): string {
	try {
		return `${new URL(link).origin}/notifications`;
	} catch {
		return '/notifications';
	}
}

/**
 * Parameters that are codes (a decision's kind) or have a title per language (an obligation)
 * are named in the recipient's language: the
 * parameters are stored once per message, the words differ per recipient.
 */
function localisedValues(
	template: TemplateName,
	values: Readonly<Record<string, string | number>>,
	locale: Locale
): Readonly<Record<string, string | number>> {
	if (template.startsWith('obligation.')) {
		// An obligation's title in the recipient's language: the English one when there is one.
		const english = values.obligationEn;
		return locale === 'en' && typeof english === 'string' && english !== ''
			? { ...values, obligation: english }
			: values;
	}
	if (template === 'complaint.status_changed') {
		const status = `complaints_status_${values.status}`;
		return hasMessage(status) ? { ...values, status: translate(status, locale) } : values;
	}
	if (template !== 'certificate.decision_taken') return values;
	const kind = `findings_decision_kind_${values.decision}`;
	return hasMessage(kind) ? { ...values, decision: translate(kind, locale) } : values;
}

/**
 * The subject and the body sentence of `template` in `locale`: what the outbox row and the
 * in-app notification store when the message is written (the text and HTML parts are rendered
 * from the row's params when it is sent).
 */
export function renderSummary(
	template: TemplateName,
	values: Readonly<Record<string, string | number>>,
	locale: Locale
): { subject: string; body: string } {
	const key = stem(template);
	values = localisedValues(template, values, locale);
	return {
		subject: translate(`${key}_subject`, locale, { ...values }),
		body: translate(`${key}_body`, locale, { ...values })
	};
}

/** The subject, text and HTML of `template` for one recipient. */
export function renderMessage(
	template: TemplateName,
	values: Readonly<Record<string, string | number>>,
	context: RenderContext
): RenderedMessage {
	const key = stem(template);
	const { subject, body } = renderSummary(template, values, context.locale);
	values = localisedValues(template, values, context.locale);
	const action = translate(`${key}_action`, context.locale, { ...values });
	const greeting = translate('chase_mail_greeting', context.locale, {
		name: context.recipientName
	});
	const footer = translate(reasonKey(template, context.accountHolder !== false), context.locale, {
		tenant: context.tenantName
	});
	const hint = translate('chase_mail_link_hint', context.locale);
	const link = footerLink(template, context);
	const items = context.items ?? [];
	const text = [
		greeting,
		'',
		body,
		...(items.length ? ['', ...items.map((item) => `- ${item.title}\n  ${item.link}`)] : []),
		'',
		`${action}: ${context.link}`,
		'',
		'-- ',
		footer,
		...(link ? [`${link.text} ${link.href}`] : [])
	].join('\n');
	const html = renderLayout({
		lang: context.locale,
		title: subject,
		bodyName: context.tenantName,
		preheader: body,
		greeting,
		body,
		items,
		action,
		link: context.link,
		hint,
		reason: footer,
		footerLink: link,
		...(context.logoCid ? { logo: { src: `cid:${context.logoCid}`, alt: context.tenantName } } : {})
	});
	return { subject, text, html, title: subject, body };
}

export { escapeHtml };
