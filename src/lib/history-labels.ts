import { getLocale } from '$lib/paraglide/runtime';
import { timelineValueLabel } from '$lib/labels';
// A type only: the names are looked up on the server (services/timeline.ts).
import type { TimelineRef } from '$lib/server/services/timeline';

/*
 * How a history panel (the timeline of a detail page, the /audit table) shows a recorded value:
 * an id as the thing it names, with a link where the reader may open it; a list item by item;
 * an enumeration in words.
 */

/** An id as the server named it (services/timeline.ts). */
export type HistoryRef = TimelineRef;

/** Which pages the reader may open: the layout's navigation flags (the server's answer). */
export interface HistoryLinks {
	evaluations?: boolean;
	findings?: boolean;
	certificates?: boolean;
	organisations?: boolean;
	catalogue?: boolean;
}

export function isRef(value: unknown): value is HistoryRef {
	return !!value && typeof value === 'object' && 'ref' in value;
}

export function refLabel({ ref }: HistoryRef): string {
	const own = getLocale() === 'en' && ref.label_en ? ref.label_en : ref.label;
	if (ref.type === 'evaluation' || ref.type === 'decision') {
		const kind = ref.kind ? timelineValueLabel(ref.kind) : '';
		return ref.on ? `${kind} ${ref.on}` : kind;
	}
	return own;
}

const PAGES: Record<string, [keyof HistoryLinks, string]> = {
	evaluation: ['evaluations', '/evaluations'],
	finding: ['findings', '/findings'],
	certificate: ['certificates', '/certificates'],
	organisation: ['organisations', '/organisations'],
	standard: ['catalogue', '/catalogue']
};

export function refHref(
	{ ref }: HistoryRef,
	links: HistoryLinks | null | undefined
): string | null {
	const page = PAGES[ref.type];
	return page && links?.[page[0]] ? `${page[1]}/${ref.id}` : null;
}

/** A plain value in words: an enumeration's label, true/false, a number as it is. */
export function plainValue(value: unknown, field?: string): string {
	if (value === null || value === undefined || value === '') return '—';
	if (typeof value === 'string') return timelineValueLabel(value, field);
	if (typeof value === 'boolean') return timelineValueLabel(value ? 'true' : 'false');
	if (typeof value === 'object') {
		// A listed row (a grade of a scale): its name in the reader's language, else its code.
		const row = value as Record<string, unknown>;
		const name =
			getLocale() === 'en' ? (row.label_en ?? row.labelEn) : (row.label_zh ?? row.labelZh);
		if (typeof name === 'string' && name) return name;
		if (typeof row.code === 'string') return row.code;
		return JSON.stringify(value);
	}
	return String(value);
}
