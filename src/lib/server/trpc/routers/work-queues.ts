import { router, service } from '../init';
import { listWorkQueue, workQueueCounts } from '../../services/work-queues';
import { listWorkQueueSchema, workQueueCountsSchema } from '../../services/work-queues.schema';

/* The work queues (issue 11 §1): the dashboard's counts and each queue's pages, as the pages read them. */
export const workQueuesRouter = router({
	counts: service('dashboard.read', workQueueCountsSchema).query((db, actor) =>
		workQueueCounts(db, actor)
	),
	// Which section's capability the queue needs is the service's check.
	list: service('dashboard.read', listWorkQueueSchema).query((db, actor, input) =>
		listWorkQueue(db, actor, input)
	)
});
