import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { calendarFeed, FEED_REFRESH_SECONDS } from '$lib/server/services/calendar-feed';

/*
 * A person's iCalendar feed (issue 11 §3), fetched by calendar apps without a session: the
 * secret token in the address is the only key. Unknown, malformed or revoked: 404, the same
 * answer for each, so the address reveals nothing.
 */
export const GET: RequestHandler = async ({ params, url }) => {
	const app = await runtimeApp();
	const body = await calendarFeed(app.db, params.token, url.origin);
	if (body === null) error(404, 'Not found');
	return new Response(body, {
		headers: {
			'content-type': 'text/calendar; charset=utf-8',
			'content-disposition': 'inline; filename="certtrack.ics"',
			// Private: the feed is one person's; calendars refresh it on their own schedule.
			'cache-control': `private, max-age=${Math.min(FEED_REFRESH_SECONDS, 900)}`,
			'x-robots-tag': 'noindex'
		}
	});
};
