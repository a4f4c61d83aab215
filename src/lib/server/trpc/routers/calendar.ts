import { router, service } from '../init';
import * as calendar from '../../services/calendar';
import * as feed from '../../services/calendar-feed';
import { calendarEventsInput, calendarFeedInput } from '../../services/calendar.schema';

/*
 * The calendar (issue 11 §3) over tRPC: the same events and schema as the /calendar page, and
 * the person's secret iCalendar URL (made once, shown once; revoked).
 */
export const calendarRouter = router({
	events: service('calendar.read', calendarEventsInput).query(calendar.calendarEvents),
	feedStatus: service('calendar.feed', calendarFeedInput).query((db, actor) =>
		feed.calendarFeedStatus(db, actor)
	),
	createFeed: service('calendar.feed', calendarFeedInput).mutation((db, actor) =>
		feed.createCalendarFeed(db, actor)
	),
	revokeFeed: service('calendar.feed', calendarFeedInput).mutation((db, actor) =>
		feed.revokeCalendarFeed(db, actor)
	)
});
