import nodemailer, { type Transporter } from 'nodemailer';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppConfig } from '../config';

export interface OutgoingMail {
	id: string;
	to: string;
	subject: string;
	text: string;
	html: string;
}

export interface MailTransport {
	send(mail: OutgoingMail): Promise<void>;
	describe(): string;
}

/** SMTP when SMTP_URL is set; otherwise each email becomes an .eml file under data/mail. */
export function createMailTransport(config: AppConfig): MailTransport {
	if (config.smtpUrl) {
		const transporter: Transporter = nodemailer.createTransport(config.smtpUrl);
		return {
			describe: () => 'SMTP',
			send: async (mail) => {
				await transporter.sendMail({
					from: config.mailFrom,
					to: mail.to,
					subject: mail.subject,
					text: mail.text,
					html: mail.html,
					messageId: `<${mail.id}@certtrack>`
				});
			}
		};
	}
	const directory = join(config.dataDir, 'mail');
	const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true });
	return {
		describe: () => `files in ${directory}`,
		send: async (mail) => {
			const info = await transporter.sendMail({
				from: config.mailFrom,
				to: mail.to,
				subject: mail.subject,
				text: mail.text,
				html: mail.html
			});
			await mkdir(directory, { recursive: true });
			await writeFile(join(directory, `${mail.id}.eml`), info.message as Buffer);
		}
	};
}
