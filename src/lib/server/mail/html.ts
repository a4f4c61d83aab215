/*
 * The HTML part of every email: a single-column table layout with inline styles (what Outlook,
 * Gmail and Apple Mail all render), filled only through `html` tagged templates whose every
 * interpolation is escaped — no string concatenation of unescaped input anywhere.
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

/** Markup that is already safe (the result of an `html` template). */
export class SafeHtml {
	constructor(readonly value: string) {}
	toString() {
		return this.value;
	}
}

type Interpolation = string | number | SafeHtml | SafeHtml[];

/** A tagged template that escapes every interpolated string; SafeHtml passes through. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
	let out = strings[0]!;
	values.forEach((value, index) => {
		const piece = Array.isArray(value)
			? value.map((v) => v.value).join('')
			: value instanceof SafeHtml
				? value.value
				: escapeHtml(String(value));
		out += piece + strings[index + 1]!;
	});
	return new SafeHtml(out);
}

/** Only http(s) links go into an href; anything else becomes an inert '#'. */
export function safeHref(url: string): string {
	return /^https?:\/\//i.test(url) ? url : '#';
}

export interface Layout {
	lang: string;
	title: string;
	greeting: string;
	body: string;
	items: { title: string; link: string }[];
	action: string;
	link: string;
	hint: string;
	footer: string;
}

const FONT =
	"font-family:-apple-system,'Segoe UI','PingFang SC','Microsoft YaHei',Arial,sans-serif";

export function renderLayout(layout: Layout): string {
	const items = layout.items.map(
		(item) =>
			html`<tr>
				<td style="padding:4px 0;${FONT};font-size:14px">
					<a href="${safeHref(item.link)}" style="color:#1d4ed8">${item.title}</a>
				</td>
			</tr>`
	);
	return html`<!DOCTYPE html>
		<html lang="${layout.lang}">
			<head>
				<meta charset="utf-8" />
				<meta name="viewport" content="width=device-width, initial-scale=1" />
				<title>${layout.title}</title>
			</head>
			<body style="margin:0;padding:0;background:#f3f4f6">
				<table
					role="presentation"
					width="100%"
					cellpadding="0"
					cellspacing="0"
					style="background:#f3f4f6"
				>
					<tr>
						<td align="center" style="padding:24px 12px">
							<table
								role="presentation"
								width="600"
								cellpadding="0"
								cellspacing="0"
								style="max-width:600px;width:100%;background:#ffffff;border-radius:6px"
							>
								<tr>
									<td
										style="padding:24px 24px 8px;${FONT};font-size:18px;font-weight:bold;color:#111827"
									>
										${layout.title}
									</td>
								</tr>
								<tr>
									<td style="padding:8px 24px;${FONT};font-size:14px;color:#111827">
										${layout.greeting}
									</td>
								</tr>
								<tr>
									<td style="padding:8px 24px;${FONT};font-size:14px;line-height:1.6;color:#111827">
										${layout.body}
									</td>
								</tr>
								${
									items.length
										? html`<tr>
												<td style="padding:8px 24px">
													<table role="presentation" cellpadding="0" cellspacing="0">
														${items}
													</table>
												</td>
											</tr>`
										: html``
								}
								<tr>
									<td style="padding:16px 24px">
										<table role="presentation" cellpadding="0" cellspacing="0">
											<tr>
												<td style="background:#1d4ed8;border-radius:4px">
													<a
														href="${safeHref(layout.link)}"
														style="display:inline-block;padding:10px 18px;${FONT};font-size:14px;color:#ffffff;text-decoration:none"
														>${layout.action}</a
													>
												</td>
											</tr>
										</table>
									</td>
								</tr>
								<tr>
									<td style="padding:0 24px 16px;${FONT};font-size:12px;color:#6b7280">
										${layout.hint}
										<a href="${safeHref(layout.link)}" style="color:#1d4ed8">${layout.link}</a>
									</td>
								</tr>
								<tr>
									<td
										style="padding:16px 24px;border-top:1px solid #e5e7eb;${FONT};font-size:12px;color:#6b7280"
									>
										${layout.footer}
									</td>
								</tr>
							</table>
						</td>
					</tr>
				</table>
			</body>
		</html>`.value;
}
