import { describe, expect, it } from 'vitest';
import mjml2html from 'mjml';
import { TEMPLATES, renderMessage, type TemplateName } from '../../src/lib/server/mail/templates';
import {
	compiledLayout,
	escapeHtml,
	layoutCompilations,
	layoutSource
} from '../../src/lib/server/mail/html';
import { translate } from '../../src/lib/server/i18n/translate';
import type { Locale } from '../../db/schema';

/*
 * Every email template renders through the MJML layouts (issue 7 §5): in both languages, with its
 * link as a button and as text, the body's name, a preheader and the footer pointing at
 * /notifications; hostile values stay text; the layouts are valid MJML, compiled once per process.
 */

const LOCALES: Locale[] = ['zh-CN', 'en'];
const LINK = 'https://ct.example.test/findings/0b8e7f36-6d4c-4d1e-9a53-1f1f3c2b9a10';
const HOSTILE = `<script>alert("x")</script> & 'quoted' "double"`;

function params(template: TemplateName, value: (name: string) => string | number) {
	return Object.fromEntries(TEMPLATES[template].map((name) => [name, value(name)]));
}

// No English obligation title here (the test below gives one): the texts are the plain ones.
const sample = (name: string) =>
	name === 'days' || name === 'months' || name === 'count'
		? 3
		: name === 'obligationEn'
			? ''
			: `${name}-value`;

const names = Object.keys(TEMPLATES) as TemplateName[];

describe('email templates (MJML)', () => {
	it('has the templates the product sends', () => {
		expect(names.length).toBeGreaterThanOrEqual(27);
	});

	for (const template of names)
		for (const locale of LOCALES)
			it(`${template} renders in ${locale} with its link, body name, preheader and footer`, () => {
				const rendered = renderMessage(template, params(template, sample), {
					locale,
					recipientName: 'Ann',
					tenantName: 'Body Ltd',
					link: LINK,
					items: template === 'digest' ? [{ title: 'First', link: `${LINK}?a=1&b=2` }] : []
				});
				const stem = `chase_mail_${template.replace('.', '_')}`;
				const subject = translate(`${stem}_subject`, locale, params(template, sample));
				const action = translate(`${stem}_action`, locale, params(template, sample));
				const body = translate(`${stem}_body`, locale, params(template, sample));
				expect(rendered.subject).toBe(subject);
				expect(rendered.subject).not.toContain(`${stem}_`);
				// Every parameter the texts use arrives in the message.
				for (const name of TEMPLATES[template])
					if (body.includes(String(sample(name))))
						expect(rendered.html).toContain(escapeHtml(String(sample(name))));
				const html = rendered.html;
				expect(html).toMatch(/^<!doctype html>/i);
				expect(html).toContain(`lang="${locale}"`);
				expect(html).not.toMatch(/@@ct_\w+@@/);
				// The link: once as the button (a table cell with the link), once written out.
				expect(html.match(new RegExp(`href="${LINK}"`, 'g'))?.length).toBeGreaterThanOrEqual(2);
				expect(html).toContain(escapeHtml(action));
				expect(html).toContain('Body Ltd');
				expect(html).toContain(`<title>${escapeHtml(subject)}</title>`);
				// The preheader: MJML's hidden preview block carries the body text.
				expect(html).toMatch(/display:none[^>]*>[^<]*\S/);
				expect(html).toContain(escapeHtml(body).slice(0, 20));
				expect(rendered.text).toContain(LINK);
				if (template.startsWith('complaint.')) {
					// To a complainant: their complaint's status page, never users' settings.
					expect(html).not.toContain('/notifications');
					expect(html).toContain(
						escapeHtml(translate('complaints_mail_footer_status_action', locale))
					);
				} else {
					expect(html).toContain('href="https://ct.example.test/notifications"');
					expect(html).toContain(escapeHtml(translate('mail_layout_settings_action', locale)));
					expect(rendered.text).toContain('https://ct.example.test/notifications');
				}
				if (template === 'digest') expect(html).toContain(`href="${LINK}?a=1&amp;b=2"`);
			});

	it('links no notification settings for a recipient without an account', () => {
		for (const template of names)
			for (const locale of LOCALES) {
				const rendered = renderMessage(template, params(template, sample), {
					locale,
					recipientName: 'Ann',
					tenantName: 'Body Ltd',
					link: LINK,
					accountHolder: false
				});
				expect(rendered.html).not.toContain('/notifications');
				expect(rendered.text).not.toContain('/notifications');
				expect(rendered.html).not.toMatch(/@@ct_\w+@@/);
				expect(rendered.html).toContain('Body Ltd');
			}
		const reset = renderMessage(
			'person.password_reset',
			{ minutes: 30 },
			{
				locale: 'en',
				recipientName: 'Ann',
				tenantName: 'Body Ltd',
				link: LINK,
				accountHolder: false
			}
		);
		expect(reset.text).toContain('because a password reset was asked for this address');
		const receipt = renderMessage(
			'complaint.received',
			{ reference: 'C-2026-0001' },
			{
				locale: 'zh-CN',
				recipientName: 'Ann',
				tenantName: 'Body Ltd',
				link: LINK,
				accountHolder: false
			}
		);
		expect(receipt.text).toContain(`在状态页面查询投诉处理进度： ${LINK}`);
		expect(receipt.text).toContain('有人以此邮箱提交了投诉');
	});

	it("titles an obligation in the recipient's language, not both", () => {
		const values = {
			obligation: '派工单',
			obligationEn: 'Dispatch orders',
			dueOn: '2027-02-02',
			periodStart: '2027-01-01',
			periodEnd: '2027-01-31'
		};
		const context = { recipientName: 'Ann', tenantName: 'Body Ltd', link: LINK };
		for (const template of [
			'obligation.due_reminder',
			'obligation.overdue',
			'obligation.submitted',
			'obligation.rejected'
		] as const) {
			const all = { ...values, days: 3, organisation: 'Org', comment: 'c' };
			const english = renderMessage(template, all, { ...context, locale: 'en' });
			expect(english.subject).toContain('Dispatch orders');
			expect(english.subject).not.toContain('派工单');
			expect(english.text).not.toContain('派工单');
			expect(english.text).not.toContain(' / ');
			const chinese = renderMessage(template, all, { ...context, locale: 'zh-CN' });
			expect(chinese.subject).toContain('派工单');
			expect(chinese.subject).not.toContain('Dispatch orders');
			expect(chinese.html).not.toContain('Dispatch orders');
			// No English title: the English message names the Chinese one.
			const untitled = renderMessage(
				template,
				{ ...all, obligationEn: '' },
				{ ...context, locale: 'en' }
			);
			expect(untitled.subject).toContain('派工单');
		}
	});

	it('keeps hostile values as text in the HTML: no markup, quotes and & escaped', () => {
		for (const locale of LOCALES) {
			const rendered = renderMessage(
				'finding.plan_sent_back',
				{ reference: HOSTILE, comment: HOSTILE },
				{
					locale,
					recipientName: HOSTILE,
					tenantName: HOSTILE,
					link: LINK,
					items: []
				}
			);
			expect(rendered.html).not.toContain('<script>');
			expect(rendered.html).not.toContain(`"double"`);
			expect(rendered.html).not.toContain(`'quoted'`);
			expect(rendered.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;');
			expect(rendered.html).toContain('&#39;quoted&#39;');
			// The plain-text part is text: it keeps the characters as they are.
			expect(rendered.text).toContain(HOSTILE);
		}
	});

	it('does not expand a value that looks like a layout token', () => {
		const rendered = renderMessage(
			'finding.evidence_verified',
			{ reference: '@@ct_link@@' },
			{ locale: 'en', recipientName: '@@ct_items@@', tenantName: 'B', link: LINK }
		);
		expect(rendered.html).toContain('@@ct_link@@');
		expect(rendered.html).toContain('@@ct_items@@');
	});

	it('puts only http(s) links into an href', () => {
		const rendered = renderMessage(
			'digest',
			{ count: 1, date: '2027-01-01' },
			{
				locale: 'en',
				recipientName: 'A',
				tenantName: 'B',
				link: 'javascript:alert(1)',
				items: [{ title: 'x', link: 'javascript:alert(2)' }]
			}
		);
		expect(rendered.html).not.toContain('javascript:');
		expect(rendered.html).toContain('href="#"');
	});

	it('the layouts are valid MJML (strict validation, no errors)', async () => {
		for (const withItems of [false, true]) {
			const result = await mjml2html(layoutSource(withItems), { validationLevel: 'strict' });
			expect(result.errors).toEqual([]);
			expect(result.html).toContain('<table');
		}
	});

	it('compiles each layout once per process, whatever the number of messages', () => {
		compiledLayout(false);
		compiledLayout(true);
		const before = layoutCompilations();
		expect(before).toBeLessThanOrEqual(2);
		const started = performance.now();
		for (let i = 0; i < 2_000; i++)
			renderMessage(
				'finding.due_reminder',
				{ reference: `NC-${i}`, days: 7, dueOn: '2027-03-01', statement: 'x' },
				{ locale: i % 2 ? 'en' : 'zh-CN', recipientName: 'A', tenantName: 'B', link: LINK }
			);
		expect(layoutCompilations()).toBe(before);
		// Substitution, not compilation: thousands of messages in well under a second's budget.
		expect(performance.now() - started).toBeLessThan(5_000);
	});
});

describe("the body's logo slot (issue 12 item 8)", () => {
	const context = {
		locale: 'en' as Locale,
		recipientName: 'Ada',
		tenantName: `Body ${HOSTILE}`,
		link: LINK
	};
	const values = params('finding.plan_accepted', sample);

	it('adds only the <img> atop the header, from the same compiled layout, with the name as alt', () => {
		const before = layoutCompilations();
		const plain = renderMessage('finding.plan_accepted', values, context);
		const withLogo = renderMessage('finding.plan_accepted', values, {
			...context,
			logoCid: 'logo-t1@certtrack.local'
		});
		const img = `<img src="cid:logo-t1@certtrack.local" alt="Body ${escapeHtml(HOSTILE)}" height="40" style="display:block;height:40px;width:auto;max-width:100%;border:0;outline:none;margin:0 0 8px">`;
		expect(withLogo.html).toContain(img);
		// Without a logo the message is the logo message minus the image, nothing else.
		expect(withLogo.html.replace(img, '')).toBe(plain.html);
		expect(plain.html).not.toContain('<img');
		expect(plain.html).not.toContain('@@ct_');
		// At the top of the card: right before the body's name, above the title and the greeting.
		expect(withLogo.html).toContain(`${img}Body ${escapeHtml(HOSTILE)}</div>`);
		expect(withLogo.html.indexOf(img)).toBeLessThan(
			withLogo.html.indexOf('<p style="margin:0 0 12px">')
		);
		expect(withLogo.text).toBe(plain.text);
		expect(layoutCompilations() - before).toBeLessThanOrEqual(1);
	});

	it('takes only a cid: source (never a remote image)', () => {
		const remote = renderMessage('finding.plan_accepted', values, {
			...context,
			logoCid: 'x" onerror="alert(1)'
		});
		expect(remote.html).not.toContain('<img');
		expect(remote.html).not.toContain('onerror');
	});
});
