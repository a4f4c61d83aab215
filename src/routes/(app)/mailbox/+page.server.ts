import type { PageServerLoad } from './$types';
import { pageLoad } from '$lib/server/pages';
import { mailDirectory } from '$lib/server/mail/transport';
import { listMailbox } from '$lib/server/services/mailbox';
import { chaseStatus } from '$lib/server/chase-status';

export const load = pageLoad('mail.deliveries', async ({ app, actor }) => {
	return {
		smtp: !!app.config.smtpUrl,
		chase: chaseStatus(app),
		timeZone: actor.tenant.timeZone,
		mails: await listMailbox(actor, mailDirectory(app.config))
	};
}) satisfies PageServerLoad;
