import type { FindingDetail } from '$lib/server/services/finding-detail';

/*
 * What a form of the finding page gets back from its action: `done` on success, or the typed
 * values with one message per field ('_' for the form as a whole) and `stale` when the finding
 * changed since the page was loaded. Each form reads only its own outcome.
 */

export interface FormOutcome {
	form?: string;
	done?: boolean;
	stale?: boolean;
	values?: Record<string, string>;
	errors?: Record<string, string>;
}

/** What every form of the finding page is given: the finding and the page's last form outcome. */
export interface StepProps {
	finding: FindingDetail['finding'];
	outcome: FormOutcome | null;
}

export function errorsOf(outcome: FormOutcome | null, form: string): Record<string, string> {
	return outcome?.form === form ? (outcome.errors ?? {}) : {};
}

export function valuesOf(outcome: FormOutcome | null, form: string): Record<string, string> {
	return outcome?.form === form ? (outcome.values ?? {}) : {};
}

/* The finding page's forms flag themselves busy as every form of the app does. */
export { whileBusy } from '$lib/components/while-busy';
