import type { PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { mailDirectory } from '$lib/server/mail/transport';
import { listMailbox } from '$lib/server/services/mailbox';
import { chaseStatus } from '$lib/server/chase-status';

export const load: PageServerLoad = async ({ locals }) => {
	const actor = requireActor(locals, 'mail.deliveries');
	const app = await runtimeApp();
	const { config } = app;
	return {
		smtp: !!config.smtpUrl,
		chase: chaseStatus(app),
		timeZone: actor.tenant.timeZone,
		mails: await listMailbox(actor, mailDirectory(config))
	};
};
