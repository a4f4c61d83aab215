import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { calendarFeed, FEED_REFRESH_SECONDS } from '$lib/server/services/calendar-feed';
import { calendarFeedRefusal } from '$lib/server/http/public-limit';

/*
 * A person's iCalendar feed (issue 11 §3), fetched by calendar apps without a session: the
 * secret token in the address is the only key. Unknown, malformed or revoked: 404, the same
 * answer for each, so the address reveals nothing. Counted per address before the token is
 * looked up (like the public /verify pages): nobody can walk tokens faster than the limit.
 */
export const GET: RequestHandler = async (event) => {
	const { params, url } = event;
	const app = await runtimeApp();
	const refused = await calendarFeedRefusal(app, event);
	if (refused) return refused;
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
