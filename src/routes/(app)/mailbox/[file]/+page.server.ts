import type { PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { loadOrRefuse } from '$lib/server/forms';
import { mailDirectory } from '$lib/server/mail/transport';
import { readMailboxFile } from '$lib/server/services/mailbox';

export const load: PageServerLoad = async ({ locals, params }) => {
	const actor = requireActor(locals, 'mail.deliveries');
	const { config } = await runtimeApp();
	return {
		mail: await loadOrRefuse(locals.locale, () =>
			readMailboxFile(actor, mailDirectory(config), params.file)
		)
	};
};
