import { m } from '$lib/paraglide/messages';

/* The names of the work queues and their sections (domain/work-queues.ts), in the reader's language. */

const key = (queue: string) => queue.replaceAll('-', '_');
type Messages = Record<string, (() => string) | undefined>;
const messages = m as unknown as Messages;

export const queueTitle = (queue: string) => messages[`queue_${key(queue)}`]?.() ?? queue;
export const queueIntro = (queue: string) => messages[`queue_intro_${key(queue)}`]?.() ?? '';
export const sectionTitle = (section: string) =>
	messages[`queues_section_${section}`]?.() ?? section;

/** "3 days left", "today", "2 days late". */
export function daysLeftLabel(days: number) {
	if (days === 0) return m.queue_today();
	return days > 0 ? m.queue_days_left({ days }) : m.queue_days_late({ days: -days });
}
