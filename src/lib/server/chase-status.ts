import type { App } from './app';
import { chaseMode, type ChaseMode } from './runtime';
import { mailDirectory } from './mail/transport';

/** Where this installation's email goes: an SMTP server, or .eml files for the Mailbox page. */
export type MailDestination =
	{ kind: 'smtp'; server: string } | { kind: 'files'; directory: string };

export interface ChaseStatus {
	mode: ChaseMode;
	mail: MailDestination;
}

/** Only the host and port of SMTP_URL: its user and password stay on the server. */
function smtpServer(url: string): string {
	try {
		const parsed = new URL(url);
		return `${parsed.protocol}//${parsed.host}`;
	} catch {
		return 'SMTP';
	}
}

/** How the chase runs here and where its mail goes, for the Deliveries and Mailbox pages. */
export function chaseStatus(app: Pick<App, 'config'>): ChaseStatus {
	return {
		mode: chaseMode(),
		mail: app.config.smtpUrl
			? { kind: 'smtp', server: smtpServer(app.config.smtpUrl) }
			: { kind: 'files', directory: mailDirectory(app.config) }
	};
}
