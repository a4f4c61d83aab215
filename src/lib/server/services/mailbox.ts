import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Actor } from '../actor';
import { notFound } from '../errors';
import { authorize } from './authorize';
import { mailboxFile } from './mailbox.schema';

/*
 * The admin Mailbox: the .eml files the embedded default writes under DATA_DIR/mail instead of
 * sending (SMTP_URL unset). A small RFC 822 reader for the multipart/alternative nodemailer
 * writes: headers, the text part and the HTML part.
 */

export interface MailSummary {
	file: string;
	date: string;
	to: string;
	subject: string;
}

export interface MailView extends MailSummary {
	headers: [string, string][];
	text: string;
	html: string;
}

function splitHead(raw: string): { headers: [string, string][]; body: string } {
	const at = raw.search(/\r?\n\r?\n/);
	const head = at < 0 ? raw : raw.slice(0, at);
	const body = at < 0 ? '' : raw.slice(at).replace(/^\r?\n\r?\n/, '');
	const headers: [string, string][] = [];
	for (const line of head.split(/\r?\n/)) {
		const previous = headers.at(-1);
		if (/^[ \t]/.test(line) && previous) previous[1] += ' ' + line.trim();
		else {
			const colon = line.indexOf(':');
			if (colon > 0) headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
		}
	}
	return { headers, body };
}

const header = (headers: [string, string][], name: string) =>
	headers.find(([key]) => key.toLowerCase() === name)?.[1] ?? '';

/** RFC 2047 encoded words (=?UTF-8?B?…?= / Q). */
function decodeWords(value: string): string {
	return value
		.replace(/\?=\s+=\?/g, '?==?')
		.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, _charset, enc: string, text: string) =>
			enc.toUpperCase() === 'B'
				? Buffer.from(text, 'base64').toString('utf8')
				: decodeQuoted(text.replace(/_/g, ' '))
		);
}

function decodeQuoted(text: string): string {
	const bytes: number[] = [];
	const soft = text.replace(/=\r?\n/g, '');
	for (let i = 0; i < soft.length; i++) {
		if (soft[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
			bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
			i += 2;
		} else bytes.push(...Buffer.from(soft[i] ?? '', 'utf8'));
	}
	return Buffer.from(bytes).toString('utf8');
}

function decodeBody(headers: [string, string][], body: string): string {
	const encoding = header(headers, 'content-transfer-encoding').toLowerCase();
	if (encoding === 'base64')
		return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
	if (encoding === 'quoted-printable') return decodeQuoted(body);
	return body;
}

function collectParts(
	headers: [string, string][],
	body: string,
	out: { text: string; html: string },
	depth = 0
) {
	const type = header(headers, 'content-type').toLowerCase();
	const boundary = /boundary="?([^";]+)"?/i.exec(header(headers, 'content-type'))?.[1];
	if (type.startsWith('multipart/') && boundary && depth < 5) {
		for (const chunk of body.split(`--${boundary}`).slice(1)) {
			if (chunk.startsWith('--')) break;
			const part = splitHead(chunk.replace(/^\r?\n/, ''));
			collectParts(part.headers, part.body, out, depth + 1);
		}
	} else if (type.startsWith('text/html')) out.html ||= decodeBody(headers, body);
	else if (type.startsWith('text/plain') || type === '') out.text ||= decodeBody(headers, body);
}

export function parseEml(file: string, raw: string): MailView {
	const { headers, body } = splitHead(raw);
	const parts = { text: '', html: '' };
	collectParts(headers, body, parts);
	return {
		file,
		date: header(headers, 'date'),
		to: decodeWords(header(headers, 'to')),
		subject: decodeWords(header(headers, 'subject')),
		headers: headers.map(([key, value]) => [key, decodeWords(value)]),
		text: parts.text.trim(),
		html: parts.html
	};
}

/** The newest files first (by modification time), at most `limit`. */
export async function listMailbox(actor: Actor, directory: string, limit = 200) {
	authorize(actor, 'mail.deliveries');
	let names: string[];
	try {
		names = (await readdir(directory)).filter((name) => mailboxFile.safeParse(name).success);
	} catch {
		return [];
	}
	const stamped = await Promise.all(
		names.map(async (name) => ({ name, at: (await stat(join(directory, name))).mtimeMs }))
	);
	stamped.sort((a, b) => b.at - a.at);
	return Promise.all(
		stamped.slice(0, limit).map(async ({ name }): Promise<MailSummary> => {
			const { date, to, subject } = parseEml(name, await readFile(join(directory, name), 'utf8'));
			return { file: name, date, to, subject };
		})
	);
}

/** One file; a name that is not one the app writes (e.g. `../../etc/passwd`) is not found. */
export async function readMailboxFile(actor: Actor, directory: string, file: string) {
	authorize(actor, 'mail.deliveries');
	if (!mailboxFile.safeParse(file).success) throw notFound();
	try {
		return parseEml(file, await readFile(join(directory, file), 'utf8'));
	} catch {
		throw notFound();
	}
}
