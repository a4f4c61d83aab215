import type { PageServerLoad } from './$types';
import { pageLoad } from '$lib/server/pages';
import { mailDirectory } from '$lib/server/mail/transport';
import { readMailboxFile } from '$lib/server/services/mailbox';

export const load = pageLoad('mail.deliveries', async ({ app, actor, event: { params } }) => ({
	mail: await readMailboxFile(actor, mailDirectory(app.config), params.file)
})) satisfies PageServerLoad;
