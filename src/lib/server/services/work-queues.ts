import type { AppDatabase } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import { todayInZone } from '../domain/calendar';
import { TEAM_ROLES } from '../domain/permissions';
import { DEFAULT_SCHEME_RULES } from '../domain/scheme-rules';
import { PLAN_ACCEPTED } from '../domain/certification-decision';
import {
	BODY_REVIEWS_PLAN,
	BODY_VERIFIES_EVIDENCE,
	ORGANISATION_ANSWERS,
	QUEUE_SECTIONS,
	daysLeft,
	queueCapability,
	queueHorizons,
	sectionsFor,
	type QueueName,
	type QueueSection
} from '../domain/work-queues';
import { NO_ORGANISATION } from '../domain/roles';
import * as repo from '../repositories/work-queues';
import type { QueueRow } from '../repositories/work-queues';
import { authorize } from './authorize';
import { REPORT_ISSUED } from './finding-access';
import { byId, readListPage, ascending, type ListPage, type ListSort } from './list-pages';
import type { z } from 'zod';
import type { listWorkQueueSchema } from './work-queues.schema';

/*
 * Each role's work queues (issue 11 §1): the dashboard's counts and each queue's page, for the
 * page loads and the tRPC procedures alike. A queue's count and its list are the same query.
 */

function contextOf(actor: Actor, now: Date): repo.QueueContext {
	return {
		userId: actor.userId,
		organisationId: actor.organisationId ?? NO_ORGANISATION,
		timeZone: actor.tenant.timeZone,
		horizons: queueHorizons(todayInZone(now, actor.tenant.timeZone)),
		defaults: DEFAULT_SCHEME_RULES,
		released: REPORT_ISSUED,
		planAccepted: PLAN_ACCEPTED,
		teamRoles: TEAM_ROLES,
		organisationAnswers: ORGANISATION_ANSWERS,
		bodyReviewsPlan: BODY_REVIEWS_PLAN,
		bodyVerifiesEvidence: BODY_VERIFIES_EVIDENCE
	};
}

export interface QueueSectionCounts {
	section: QueueSection;
	queues: { queue: QueueName; count: number }[];
}

/** The actor's sections of the dashboard, each queue with its count; one statement for all. */
export async function workQueueCounts(
	db: AppDatabase,
	actor: Actor,
	now = new Date()
): Promise<QueueSectionCounts[]> {
	const sections = sectionsFor(actor);
	const queues = sections.flatMap((section) => [...QUEUE_SECTIONS[section]]);
	const counts = await db.inTenant(scopeOf(actor), (tx) =>
		repo.countQueues(tx, queues, contextOf(actor, now))
	);
	return sections.map((section) => ({
		section,
		queues: QUEUE_SECTIONS[section].map((queue) => ({ queue, count: counts[queue] ?? 0 }))
	}));
}

const QUEUE_SORT: Record<'due', ListSort<QueueRow>> = {
	due: { columns: [ascending<QueueRow>('q.on', 'on', 'date'), byId<QueueRow>('q.id')] }
};

export type WorkQueueRow = QueueRow & { daysLeft: number };

/** One page of a queue, each row with the days left to its key date (negative: late). */
export async function listWorkQueue(
	db: AppDatabase,
	actor: Actor,
	input: z.output<typeof listWorkQueueSchema>,
	options: { pageSize?: number; now?: Date } = {}
): Promise<ListPage<WorkQueueRow> & { queue: QueueName; today: string }> {
	authorize(actor, queueCapability(input.queue));
	const now = options.now ?? new Date();
	const context = contextOf(actor, now);
	const page = await readListPage(
		db,
		actor,
		QUEUE_SORT,
		{ sort: 'due', cursor: input.cursor, pageSize: options.pageSize },
		(tx, keyset) => repo.listQueue(tx, input.queue, context, keyset),
		(tx) => repo.countQueue(tx, input.queue, context)
	);
	const today = context.horizons.today;
	return {
		...page,
		rows: page.rows.map((row) => ({ ...row, daysLeft: daysLeft(row.on, today) })),
		queue: input.queue,
		today
	};
}
