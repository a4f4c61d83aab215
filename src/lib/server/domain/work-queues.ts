import type { FindingStatus, Role } from '../../../../db/schema';
import { addDays, addMonths, daysBetween, type IsoDate } from './calendar';
import { mayEver, type Capability } from './permissions';
import { SURVEILLANCE_REMINDER_DAYS } from './clocks/surveillance';

/*
 * The work queues of each role (issue 11 §1, SPEC §5 "to review", "to verify", "awaiting
 * decision", "due from us"): which queues a section holds, who sees the section, and the
 * horizons that say when something is "coming due". The queries live in
 * repositories/work-queues.ts; a count and its list come from the same query.
 */

export const QUEUE_SECTIONS = {
	/** The evaluation team's work, on the evaluations the person is on the team of. */
	evaluate: [
		'plans-to-review',
		'evidence-to-verify',
		'follow-ups-due',
		'evaluations-to-start',
		'reports-to-issue',
		'escalations'
	],
	/** A decision maker's: never an evaluation they were on the team of (impartiality). */
	decide: ['awaiting-decision', 'suspension-due', 'withdrawal-proposals'],
	administer: [
		'expiring-certificates',
		'surveillance-due',
		'unassigned-evaluations',
		'failed-deliveries'
	],
	/** An organisation's users: their own organisation's, released findings only. */
	organisation: ['to-answer', 'obligations-due', 'our-certificates']
} as const;

export type QueueSection = keyof typeof QUEUE_SECTIONS;

/** What a queue's rows are, which says where each row leads. */
export type QueueSubject = 'finding' | 'evaluation' | 'certificate' | 'delivery' | 'obligation';
export type QueueName = (typeof QUEUE_SECTIONS)[QueueSection][number];

export const QUEUE_NAMES = Object.values(QUEUE_SECTIONS).flat() as QueueName[];

const SECTION_CAPABILITY: Record<QueueSection, Capability> = {
	evaluate: 'queue.evaluate',
	decide: 'queue.decide',
	administer: 'queue.administer',
	organisation: 'queue.organisation'
};

export const SECTION_ORDER: readonly QueueSection[] = [
	'administer',
	'evaluate',
	'decide',
	'organisation'
];

export const QUEUE_SUBJECT: Record<QueueName, QueueSubject> = {
	'plans-to-review': 'finding',
	'evidence-to-verify': 'finding',
	'follow-ups-due': 'finding',
	'evaluations-to-start': 'evaluation',
	'reports-to-issue': 'evaluation',
	escalations: 'finding',
	'awaiting-decision': 'evaluation',
	'suspension-due': 'certificate',
	'withdrawal-proposals': 'certificate',
	'expiring-certificates': 'certificate',
	'surveillance-due': 'certificate',
	'unassigned-evaluations': 'evaluation',
	'failed-deliveries': 'delivery',
	'to-answer': 'finding',
	'obligations-due': 'obligation',
	'our-certificates': 'certificate'
};

/**
 * Where a row of a queue leads; `detail` is the row's detail column (an evaluation's kind). An
 * initial evaluation awaiting its decision leads to its grant page (issue 12 item 1): there is no
 * certificate to decide on yet.
 */
export function queueRowLink(queue: QueueName, id: string, detail?: string | null): string {
	if (queue === 'awaiting-decision' && detail === 'initial') return `/evaluations/${id}/grant`;
	switch (QUEUE_SUBJECT[queue]) {
		case 'finding':
			return `/findings/${id}`;
		case 'evaluation':
			return `/evaluations/${id}`;
		case 'certificate':
			return `/certificates/${id}`;
		case 'delivery':
			return '/deliveries?status=failed';
		case 'obligation':
			return '/obligations';
	}
}

/** Queues whose rows are late by definition: a count above zero shows as an alarm. */
export const ALARMING_QUEUES: readonly QueueName[] = [
	'escalations',
	'suspension-due',
	'withdrawal-proposals',
	'failed-deliveries'
];

/** The section a queue belongs to. */
export function sectionOf(queue: QueueName): QueueSection {
	for (const section of SECTION_ORDER)
		if ((QUEUE_SECTIONS[section] as readonly string[]).includes(queue)) return section;
	throw new Error(`unknown queue ${queue}`);
}

export function queueCapability(queue: QueueName): Capability {
	return SECTION_CAPABILITY[sectionOf(queue)];
}

/** The sections a person acting in a role sees, each with its queues (an admin also runs evaluations). */
export function sectionsFor(actor: { role: Role }): QueueSection[] {
	return SECTION_ORDER.filter((section) => mayEver(actor, SECTION_CAPABILITY[section]));
}

/** The statuses in which each side must act (domain/finding-lifecycle.ts `sideToAct`). */
export const BODY_REVIEWS_PLAN: FindingStatus = 'response_submitted';
export const BODY_VERIFIES_EVIDENCE: FindingStatus = 'evidence_submitted';
export const ORGANISATION_ANSWERS: readonly FindingStatus[] = ['open', 'action_in_progress'];

/** SPEC §5: the escalation to the body's evaluator comes when a nonconformity is 7 days overdue. */
export const ESCALATION_DAYS = 7;
/** SPEC §5: certificates expiring within 6 months are chased. */
export const EXPIRY_MONTHS = 6;
/** The obligations an organisation sees as due: late ones and those due within two weeks. */
export const OBLIGATION_HORIZON_DAYS = 14;

/** The dates the queue queries compare with, from `today` in the tenant's zone. */
export function queueHorizons(today: IsoDate) {
	return {
		today,
		/** Due before this day: more than ESCALATION_DAYS overdue. */
		escalateBefore: addDays(today, -ESCALATION_DAYS),
		expiringBy: addMonths(today, EXPIRY_MONTHS),
		/** The chase's first surveillance reminder (60 days ahead) is when it is "coming due". */
		surveillanceBy: addDays(today, Math.max(...SURVEILLANCE_REMINDER_DAYS)),
		obligationsBy: addDays(today, OBLIGATION_HORIZON_DAYS)
	};
}

export type QueueHorizons = ReturnType<typeof queueHorizons>;

/** Days from today to `on`: negative when late. */
export function daysLeft(on: IsoDate, today: IsoDate): number {
	return daysBetween(today, on);
}
