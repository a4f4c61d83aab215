import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { pageLoad } from '$lib/server/pages';
import { listWorkQueue } from '$lib/server/services/work-queues';
import { listWorkQueueSchema } from '$lib/server/services/work-queues.schema';
import { QUEUE_SUBJECT, queueRowLink, sectionOf } from '$lib/server/domain/work-queues';
import { loadListPage } from '$lib/server/http/list-query';
import { m } from '$lib/paraglide/messages';

const NAMES = { cursor: 'after', sort: 'sort' };

export const load = pageLoad('dashboard.read', async ({ db, actor, event: { url, params } }) => {
	const parsed = listWorkQueueSchema.shape.queue.safeParse(params.queue);
	if (!parsed.success) error(404, m.error_not_found());
	const queue = parsed.data;
	const { page, links } = await loadListPage(
		url,
		listWorkQueueSchema.omit({ queue: true }),
		NAMES,
		(input) => listWorkQueue(db, actor, { queue, cursor: input.cursor })
	);
	return {
		queue,
		section: sectionOf(queue),
		subject: QUEUE_SUBJECT[queue],
		today: page.today,
		total: page.total,
		rows: page.rows.map((row) => ({ ...row, href: queueRowLink(queue, row.id, row.detail) })),
		firstPage: links.firstPage,
		nextPage: links.nextPage
	};
}) satisfies PageServerLoad;
