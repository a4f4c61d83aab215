import mjml2html from 'mjml';

type MjmlResult = Awaited<ReturnType<typeof mjml2html>>;
/**
 * @types/mjml describes mjml 5, whose compiler returns a Promise; mjml 4.18 (installed: mjml 5
 * needs Node 22) returns the result itself. Compiling happens once, at first use, so synchronous.
 */
const compileMjml = mjml2html as unknown as (
	input: string,
	options: Parameters<typeof mjml2html>[1]
) => MjmlResult;

/*
 * The HTML part of every email, written in MJML (a maintained email templating library whose
 * output is the table layout with inline styles that Outlook, Gmail and Apple Mail render).
 *
 * Compiling MJML takes tens of milliseconds and a sweep renders up to 100,000 messages, so each
 * layout is compiled ONCE per process with placeholder tokens (`@@ct_name@@`) and cached; a
 * message is then one pass of token substitution where every value is HTML-escaped. The
 * substitution is a single regex pass over the compiled layout, so a value that itself contains
 * a token is never expanded.
 */

const ESCAPES: Record<string, string> = {
	'&': '&amp;',
	'<': '&lt;',
	'>': '&gt;',
	'"': '&quot;',
	"'": '&#39;'
};

export function escapeHtml(value: string): string {
	return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Only http(s) links go into an href; anything else becomes an inert '#'. */
export function safeHref(url: string): string {
	return /^https?:\/\//i.test(url) ? url : '#';
}

export interface Layout {
	lang: string;
	title: string;
	/** The certification body's name, shown as the header. */
	bodyName: string;
	/** The inbox preview line (hidden in the message itself). */
	preheader: string;
	greeting: string;
	body: string;
	items: { title: string; link: string }[];
	action: string;
	link: string;
	hint: string;
	/** Why the person receives this message. */
	reason: string;
	/**
	 * The footer's link: for a user, how to change their notification setting and that page; for
	 * a complainant, their complaint's status page; null for anyone else without an account (an
	 * invitee, a contact, a password reset), who has no setting to change.
	 */
	footerLink: { text: string; action: string; href: string } | null;
	/**
	 * The body's logo, shown above its name: `src` is the inline part's `cid:` URL (issue 12
	 * item 8). Absent, the message is byte for byte what it was before logos.
	 */
	logo?: { src: string; alt: string };
}

/** The tokens a layout has; each is replaced by the escaped value of the same name. */
type Token =
	Exclude<keyof Layout, 'items' | 'logo' | 'footerLink'> | 'items' | 'logo' | 'footerLink';

const t = (name: Token) => `@@ct_${name}@@`;

const FONT = "Arial, 'PingFang SC', 'Microsoft YaHei', sans-serif";

/** The MJML source; `withItems` adds the digest's list of links. */
function source(withItems: boolean): string {
	// Each mj-section costs ~1 KB of Outlook wrapper tables in every stored message: one card.
	const items = withItems
		? `<mj-text padding="4px 0" css-class="ct-items">${t('items')}</mj-text>`
		: '';
	return `<mjml lang="${t('lang')}">
	<mj-head>
		<mj-title>${t('title')}</mj-title>
		<mj-preview>${t('preheader')}</mj-preview>
		<mj-attributes>
			<mj-all font-family="${FONT}" />
			<mj-text font-size="14px" line-height="1.6" color="#111827" padding="8px 0" />
		</mj-attributes>
	</mj-head>
	<mj-body background-color="#f3f4f6" width="600px">
		<mj-section background-color="#ffffff" border-radius="6px" padding="20px 24px 12px">
			<mj-column>
				<mj-text font-size="13px" font-weight="bold" color="#1d4ed8" padding="0 0 4px">${t('logo')}${t('bodyName')}</mj-text>
				<mj-text font-size="18px" font-weight="bold">${t('title')}</mj-text>
				<mj-text><p style="margin:0 0 12px">${t('greeting')}</p>${t('body')}</mj-text>
				${items}
				<mj-button href="${t('link')}" background-color="#1d4ed8" color="#ffffff" font-size="14px" border-radius="4px" inner-padding="10px 18px" align="left" padding="16px 0">${t('action')}</mj-button>
				<mj-text font-size="12px" color="#6b7280">${t('hint')} <a href="${t('link')}" style="color:#1d4ed8">${t('link')}</a></mj-text>
				<mj-text font-size="12px" color="#6b7280" padding="16px 0 4px" css-class="ct-footer"><p style="margin:0 0 8px;padding-top:12px;border-top:1px solid #e5e7eb">${t('reason')}</p>${t('footerLink')}</mj-text>
			</mj-column>
		</mj-section>
	</mj-body>
</mjml>`;
}

interface Compiled {
	html: string;
	/** The HTML split at its tokens: even indexes are literal HTML, odd ones token names. */
	parts: string[];
}

const compiled = new Map<boolean, Compiled>();
let compilations = 0;

/** How many times a layout was compiled in this process (tests hold it to one per layout). */
export function layoutCompilations(): number {
	return compilations;
}

/** Whitespace between tags and inside tags only: text and conditional comments are kept. */
function compact(html: string): string {
	return html
		.replace(/\n\s*/g, '\n')
		.replace(/<([a-zA-Z][^<>]*)>/g, (tag: string) => tag.replace(/\s*\n\s*/g, ' '))
		.replace(/>\n+</g, '><')
		.replace(/ +>/g, '>');
}

/** Compiles (strictly: any MJML error throws) the layout once and keeps it. */
export function compiledLayout(withItems: boolean): Compiled {
	let hit = compiled.get(withItems);
	if (!hit) {
		const result = compileMjml(source(withItems), { validationLevel: 'strict' });
		if (typeof (result as { then?: unknown }).then === 'function')
			throw new Error(
				'MJML layout: this mjml compiles asynchronously (mjml 5); mjml 4 is expected'
			);
		if (result.errors.length)
			throw new Error(`MJML layout: ${result.errors.map((e) => e.formattedMessage).join('; ')}`);
		compilations++;
		// MJML's indentation and line breaks between tags are a third of its output; dropping
		// them once here spares every one of the messages stored and sent.
		const html = compact(result.html);
		hit = { html, parts: html.split(/@@ct_(\w+)@@/) };
		compiled.set(withItems, hit);
	}
	return hit;
}

/** The raw MJML source (tests compile it to check that it is valid). */
export function layoutSource(withItems: boolean): string {
	return source(withItems);
}

function itemsHtml(items: Layout['items']): string {
	return items
		.map(
			(item) =>
				`<p style="margin:4px 0"><a href="${escapeHtml(safeHref(item.link))}" style="color:#1d4ed8">${escapeHtml(item.title)}</a></p>`
		)
		.join('');
}

/**
 * The logo's <img>, or nothing. The slot is a token in the text before the body's name, not a
 * section of its own: a message without a logo substitutes '' and is exactly the HTML of the
 * same cached layout as before, and a logo costs no second compilation. Only `cid:` sources:
 * a remote image would be a tracking pixel and is blocked by most clients anyway.
 */
function logoHtml(logo: Layout['logo']): string {
	if (!logo || !/^cid:[^\s"'<>]+$/.test(logo.src)) return '';
	return `<img src="${escapeHtml(logo.src)}" alt="${escapeHtml(logo.alt)}" height="40" style="display:block;height:40px;width:auto;max-width:100%;border:0;outline:none;margin:0 0 8px">`;
}

/** The footer's sentence and link (the same HTML the layout held before the link was optional). */
function footerLinkHtml(link: Layout['footerLink']): string {
	if (!link) return '';
	return `${escapeHtml(link.text)} <a href="${escapeHtml(safeHref(link.href))}" style="color:#1d4ed8">${escapeHtml(link.action)}</a>`;
}

export function renderLayout(layout: Layout): string {
	const withItems = layout.items.length > 0;
	const values: Record<string, string> = {
		lang: escapeHtml(layout.lang),
		title: escapeHtml(layout.title),
		bodyName: escapeHtml(layout.bodyName),
		preheader: escapeHtml(layout.preheader),
		greeting: escapeHtml(layout.greeting),
		body: escapeHtml(layout.body),
		action: escapeHtml(layout.action),
		link: escapeHtml(safeHref(layout.link)),
		hint: escapeHtml(layout.hint),
		reason: escapeHtml(layout.reason),
		footerLink: footerLinkHtml(layout.footerLink),
		items: withItems ? itemsHtml(layout.items) : '',
		logo: logoHtml(layout.logo)
	};
	// One pass over the pre-split layout: a value is inserted once and never scanned again.
	const parts = compiledLayout(withItems).parts;
	let out = '';
	for (let i = 0; i < parts.length; i++) {
		if (i % 2 === 0) {
			out += parts[i];
			continue;
		}
		const value = values[parts[i]!];
		if (value === undefined) throw new Error(`MJML layout: no value for token ${parts[i]}`);
		out += value;
	}
	return out;
}
