import type { IsoDate } from './calendar';

/*
 * A recurring obligation's due item (issue 7 §3): what the organisation owes for one period, and
 * how the body reads it. Pure: the caller passes "today" in the tenant's zone.
 */

export type DueItemStatus = 'pending' | 'submitted' | 'accepted' | 'rejected';

/**
 * The body's reading of one item: fulfilled (submitted on or before the due day), late
 * (submitted after it), missing (not submitted and past due), open (not submitted, not due yet).
 */
export type DueItemStanding = 'fulfilled' | 'late' | 'missing' | 'open';

/** What the organisation sees: its status, with "late" for an unfulfilled item past due. */
export type DueItemDisplayStatus = 'pending' | 'late' | 'submitted' | 'accepted' | 'rejected';

export interface DueItemFacts {
	status: DueItemStatus;
	dueOn: IsoDate;
	/** The day (tenant's zone) the current submission was made, if any. */
	submittedOn: IsoDate | null;
}

/** Pending and rejected items wait on the organisation; a rejection reopens the item. */
export function awaitsSubmission(status: DueItemStatus): boolean {
	return status === 'pending' || status === 'rejected';
}

export function standingOf(item: DueItemFacts, today: IsoDate): DueItemStanding {
	if (!awaitsSubmission(item.status) && item.submittedOn)
		return item.submittedOn > item.dueOn ? 'late' : 'fulfilled';
	return today > item.dueOn ? 'missing' : 'open';
}

export function displayStatusOf(item: DueItemFacts, today: IsoDate): DueItemDisplayStatus {
	if (awaitsSubmission(item.status) && today > item.dueOn) return 'late';
	return item.status;
}

export type Transition =
	{ ok: true; status: DueItemStatus } | { ok: false; reason: string; kind: 'CONFLICT' };

const conflict = (reason: string): Transition => ({ ok: false, reason, kind: 'CONFLICT' });

/** The organisation submits its evidence: only while the item waits on it. */
export function submitTransition(status: DueItemStatus, evidenceCount: number): Transition {
	if (!awaitsSubmission(status)) return conflict('obligations_error_not_open');
	if (evidenceCount === 0) return conflict('obligations_error_no_evidence');
	return { ok: true, status: 'submitted' };
}

/** The body reviews a submission: accepted, or rejected (the item waits on the organisation again). */
export function reviewTransition(status: DueItemStatus, accept: boolean): Transition {
	if (status !== 'submitted') return conflict('obligations_error_not_submitted');
	return { ok: true, status: accept ? 'accepted' : 'rejected' };
}

/** Only a late or missing item becomes a finding, and only once. */
export function raiseAsFindingRefusal(
	standing: DueItemStanding,
	alreadyRaised: boolean
): string | null {
	if (alreadyRaised) return 'obligations_error_already_raised';
	if (standing !== 'late' && standing !== 'missing') return 'obligations_error_not_late';
	return null;
}
