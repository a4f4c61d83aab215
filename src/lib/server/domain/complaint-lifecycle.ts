import type { ComplaintStatus } from '../../../../db/schema';
import { addDays, daysBetween, type IsoDate } from './calendar';

/*
 * A complaint's life at the body (ISO/IEC 17065 7.13, 17021-1 9.8): received, acknowledged to
 * the complainant, investigated, then resolved or rejected — each step once, in that order, with
 * the date it was taken. A complaint may be closed (resolved or rejected) straight from
 * acknowledged when no investigation is needed, but never before it was acknowledged: the
 * complainant is always told it arrived. Pure: no clock, no database.
 */

export const COMPLAINT_STATUSES = [
	'received',
	'acknowledged',
	'investigating',
	'resolved',
	'rejected'
] as const satisfies readonly ComplaintStatus[];

/** What the body does to a complaint; each names the status it leads to. */
export const COMPLAINT_STEPS = ['acknowledge', 'investigate', 'resolve', 'reject'] as const;
export type ComplaintStep = (typeof COMPLAINT_STEPS)[number];

const TARGET: Record<ComplaintStep, ComplaintStatus> = {
	acknowledge: 'acknowledged',
	investigate: 'investigating',
	resolve: 'resolved',
	reject: 'rejected'
};

const FROM: Record<ComplaintStep, readonly ComplaintStatus[]> = {
	acknowledge: ['received'],
	investigate: ['acknowledged'],
	resolve: ['acknowledged', 'investigating'],
	reject: ['acknowledged', 'investigating']
};

export type StepDecision =
	{ ok: true; to: ComplaintStatus } | { ok: false; reason: 'complaints_error_step_not_allowed' };

export function decideComplaintStep(status: ComplaintStatus, step: ComplaintStep): StepDecision {
	return FROM[step].includes(status)
		? { ok: true, to: TARGET[step] }
		: { ok: false, reason: 'complaints_error_step_not_allowed' };
}

/** The steps open from `status`, in the order a page offers them. */
export function complaintStepsFrom(status: ComplaintStatus): ComplaintStep[] {
	return COMPLAINT_STEPS.filter((step) => FROM[step].includes(status));
}

export const isClosedComplaint = (status: ComplaintStatus) =>
	status === 'resolved' || status === 'rejected';

/** A special evaluation investigates: it may be opened while the complaint is not yet closed. */
export const mayOpenSpecialEvaluation = (status: ComplaintStatus) =>
	status === 'acknowledged' || status === 'investigating';

/**
 * How many working days the body gives itself to acknowledge a complaint. The standards ask for
 * a prompt acknowledgement without a number; five working days is the common written promise
 * (a body constant for now; a scheme setting when a scheme asks for another).
 */
export const ACKNOWLEDGE_WORKING_DAYS = 5;

/** The weekday of a day, 0 = Sunday (the date alone, no zone). */
const weekday = (day: IsoDate) => new Date(`${day}T00:00:00Z`).getUTCDay();
const isWorkingDay = (day: IsoDate) => weekday(day) !== 0 && weekday(day) !== 6;

/**
 * The last day to acknowledge a complaint received on `receivedOn`: that many working days
 * (Monday to Friday) after it. Public holidays are not known to the product and count as working.
 */
export function acknowledgeBy(
	receivedOn: IsoDate,
	workingDays = ACKNOWLEDGE_WORKING_DAYS
): IsoDate {
	let day = receivedOn;
	let left = workingDays;
	while (left > 0) {
		day = addDays(day, 1);
		if (isWorkingDay(day)) left -= 1;
	}
	return day;
}

/** The acknowledgement clock as the triage list shows it. */
export type AcknowledgementClock =
	| { kind: 'acknowledged'; on: IsoDate; late: boolean }
	| { kind: 'due'; by: IsoDate; daysLeft: number }
	| { kind: 'overdue'; by: IsoDate; daysOver: number };

/**
 * Where the clock stands on `today` for a complaint received on `receivedOn` (and acknowledged
 * on `acknowledgedOn`, if it was): days left (0 = today is the last day) or days overdue, or
 * whether the acknowledgement came in time.
 */
export function acknowledgementClock(
	receivedOn: IsoDate,
	acknowledgedOn: IsoDate | null,
	today: IsoDate
): AcknowledgementClock {
	const by = acknowledgeBy(receivedOn);
	if (acknowledgedOn)
		return { kind: 'acknowledged', on: acknowledgedOn, late: acknowledgedOn > by };
	const left = daysBetween(today, by);
	return left >= 0 ? { kind: 'due', by, daysLeft: left } : { kind: 'overdue', by, daysOver: -left };
}

/** References' alphabet: digits and capitals without the look-alikes 0/O, 1/I/L. */
const REFERENCE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** A public reference from eight random bytes (the caller's; no randomness here). */
export function complaintReference(bytes: Uint8Array): string {
	if (bytes.length < 8) throw new Error('a reference needs eight random bytes');
	let code = '';
	for (let i = 0; i < 8; i++) code += REFERENCE_ALPHABET[bytes[i]! % REFERENCE_ALPHABET.length];
	return `C-${code}`;
}

/** What a complainant types is read without case or spaces ('c-abcd 2345' is 'C-ABCD2345'). */
export function normaliseReference(text: string): string {
	return text.replace(/\s+/g, '').toUpperCase();
}
