import nodemailer, { type Transporter } from 'nodemailer';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppConfig } from '../config';

export interface OutgoingMail {
	/** The outbox row: names the .eml file. */
	id: string;
	/** `<…>`, stable per outbox row: a resend after a crash is recognisably the same message. */
	messageId: string;
	to: string;
	subject: string;
	text: string;
	html: string;
	/** The body's own sender name (tenants.mail_sender_name), shown instead of MAIL_FROM's. */
	fromName?: string;
	/** The body's logo as an inline part, referenced by the HTML as `cid:<cid>`. */
	logo?: MailLogo;
}

/** An inline image part (nodemailer attachment with a Content-ID). */
export interface MailLogo {
	filename: string;
	content: Buffer;
	contentType: 'image/png' | 'image/jpeg';
	cid: string;
}

export interface MailTransport {
	send(mail: OutgoingMail): Promise<void>;
	describe(): string;
	/** 'smtp' sends; 'files' writes .eml files under dataDir/mail. */
	kind: 'smtp' | 'files';
	close(): void;
}

/** A refusal that retrying will not cure (an SMTP 5xx): recorded as failed at once. */
export function isPermanentMailError(error: unknown): boolean {
	const code = (error as { responseCode?: unknown } | null)?.responseCode;
	return typeof code === 'number' && code >= 500 && code < 600;
}

/** Where the .eml files of the embedded default go. */
export function mailDirectory(config: Pick<AppConfig, 'dataDir'>): string {
	return join(config.dataDir, 'mail');
}

/** The address of MAIL_FROM ('Name <a@b>' or a bare address): the body's name goes with it. */
export function fromAddress(from: string): string {
	return /<([^<>]+)>\s*$/.exec(from)?.[1]?.trim() ?? from.trim();
}

/** The message both transports send: the same headers and parts whether it goes out or to a file. */
function messageOf(mail: OutgoingMail, from: string) {
	return {
		from: mail.fromName ? { name: mail.fromName, address: fromAddress(from) } : from,
		to: mail.to,
		subject: mail.subject,
		text: mail.text,
		html: mail.html,
		messageId: mail.messageId,
		// Inline (Content-Disposition: inline, multipart/related): shown in the HTML, not as a file.
		...(mail.logo ? { attachments: [{ ...mail.logo, contentDisposition: 'inline' as const }] } : {})
	};
}

/**
 * SMTP (pooled connections) when SMTP_URL is set; otherwise each email becomes a real RFC 822
 * file `<outbox id>.eml` (text and HTML parts, Message-ID) under data/mail. Writing goes through
 * a temporary name and a rename, so a crash never leaves half a file, and a resend replaces the
 * file with the same message.
 */
export function createMailTransport(
	config: Pick<AppConfig, 'smtpUrl' | 'mailFrom' | 'dataDir'>
): MailTransport {
	if (config.smtpUrl) {
		const transporter: Transporter = nodemailer.createTransport({
			url: config.smtpUrl,
			pool: true,
			maxConnections: 4,
			maxMessages: Infinity
		});
		return {
			kind: 'smtp',
			describe: () => 'SMTP',
			send: async (mail) => {
				await transporter.sendMail(messageOf(mail, config.mailFrom));
			},
			close: () => transporter.close()
		};
	}
	const directory = mailDirectory(config);
	const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true });
	return {
		kind: 'files',
		describe: () => `files in ${directory}`,
		send: async (mail) => {
			const info = await transporter.sendMail(messageOf(mail, config.mailFrom));
			await mkdir(directory, { recursive: true });
			const target = join(directory, `${mail.id}.eml`);
			const partial = `${target}.${process.pid}.part`;
			await writeFile(partial, info.message as Buffer);
			await rename(partial, target);
		},
		close: () => transporter.close()
	};
}
