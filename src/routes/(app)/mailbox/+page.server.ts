import type { PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { mailDirectory } from '$lib/server/mail/transport';
import { listMailbox } from '$lib/server/services/mailbox';

export const load: PageServerLoad = async ({ locals }) => {
	const actor = requireActor(locals, 'mail.deliveries');
	const { config } = await runtimeApp();
	return {
		smtp: !!config.smtpUrl,
		mails: await listMailbox(actor, mailDirectory(config))
	};
};
