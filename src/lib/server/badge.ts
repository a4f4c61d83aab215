import type { CertificateStatus, Locale } from '../../../db/schema';
import { translate } from './i18n/translate';

/*
 * The embeddable badge (issue 13 item 6): a small SVG a certified organisation shows on its
 * website, linking to the public page. Text is escaped; colours carry the live status.
 */

const COLOURS: Record<CertificateStatus | 'not_issued', string> = {
	active: '#1a7f37',
	suspended: '#9a6700',
	withdrawn: '#cf222e',
	expired: '#57606a',
	not_issued: '#57606a'
};

const escape = (text: string) =>
	text.replace(
		/[&<>"']/g,
		(c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c
	);

/** Rough width of a text in px at 11 px: CJK characters are about twice a Latin one. */
const widthOf = (text: string) =>
	[...text].reduce((sum, c) => sum + (/[\u2E80-\uFFFF]/.test(c) ? 11 : 6.6), 0);

export function badgeSvg(input: {
	body: string;
	number: string;
	status: CertificateStatus | 'not_issued';
	locale: Locale;
}): string {
	const word = translate('verify_badge_word', input.locale);
	const status =
		input.status === 'not_issued'
			? translate('error_not_found', input.locale)
			: translate(`status_${input.status}`, input.locale);
	const label = translate('verify_badge_label', input.locale, {
		body: input.body,
		number: input.number,
		status
	});
	const top = `${input.body} · ${word}`;
	const left = Math.ceil(Math.max(widthOf(top), widthOf(input.number)) + 16);
	const right = Math.ceil(widthOf(status) + 20);
	const width = left + right;
	const font = "font-family='Verdana,DejaVu Sans,Noto Sans CJK SC,sans-serif'";
	return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="40" viewBox="0 0 ${width} 40" role="img" aria-label="${escape(label)}">
<title>${escape(label)}</title>
<rect width="${width}" height="40" rx="4" fill="#24292f"/>
<rect x="${left}" width="${right}" height="40" rx="4" fill="${COLOURS[input.status]}"/>
<rect x="${left}" width="4" height="40" fill="${COLOURS[input.status]}"/>
<g fill="#ffffff" ${font} font-size="11">
<text x="8" y="16">${escape(top)}</text>
<text x="8" y="31" font-family="monospace">${escape(input.number)}</text>
<text x="${left + 10}" y="24" font-weight="bold">${escape(status)}</text>
</g>
</svg>`;
}
