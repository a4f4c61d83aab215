import type { PreviousBodyEvent } from '../../../../db/schema';
import { isIsoDate, type IsoDate } from './calendar';

/*
 * The history a transferred certificate had at the body that held it before (issue 12 item 4),
 * as the admin types it in, row by row: each row's day, what happened and a note. The rows must
 * tell a story that could have happened: days in order, none in the future nor after this
 * body's issue, a restoration only of a suspended certificate, no extension or renewal while
 * suspended, and not ending suspended (IAF MD 2: a certificate known to be suspended is not
 * accepted for transfer).
 */

export const PREVIOUS_BODY_EVENTS = [
	'issued',
	'surveillance',
	'renewed',
	'scope_extended',
	'scope_reduced',
	'suspended',
	'restored'
] as const satisfies readonly PreviousBodyEvent[];

/** The longest note a row takes (the column's bound). */
export const PREVIOUS_BODY_NOTE_MAX = 1000;

/** The earliest and latest days the product takes (common.schema's bounds). */
const EARLIEST: IsoDate = '1900-01-01';
const LATEST: IsoDate = '2999-12-31';

/** One row of the form as posted (a row left wholly blank is no line). */
export interface PreviousBodyRow {
	on: string;
	event: string;
	note: string;
}

/** One line of that history, ready to record. */
export interface PreviousBodyLine {
	on: IsoDate;
	event: PreviousBodyEvent;
	note: string;
	/** Its place among the lines, from 1. */
	position: number;
}

export type PreviousBodyProblem =
	| 'date_required'
	| 'date_invalid'
	| 'date_future'
	| 'date_after_issue'
	| 'date_order'
	| 'event_required'
	| 'event_unknown'
	| 'note_too_long'
	| 'issued_not_first'
	| 'suspended_already'
	| 'restored_not_suspended'
	| 'while_suspended'
	| 'ends_suspended';

export type PreviousBodyVerdict =
	| { ok: true; lines: PreviousBodyLine[] }
	| {
			ok: false;
			/** The form row at fault (its index among the posted rows, blank ones included). */
			row: number;
			field: 'on' | 'event' | 'note';
			reason: PreviousBodyProblem;
	  };

const isEvent = (value: string): value is PreviousBodyEvent =>
	(PREVIOUS_BODY_EVENTS as readonly string[]).includes(value);

/** Events a suspended certificate cannot undergo before it is restored (ISO/IEC 17021-1 9.6.5). */
const NOT_WHILE_SUSPENDED: readonly PreviousBodyEvent[] = ['renewed', 'scope_extended'];

/**
 * The posted rows as lines, or the first problem with the row and field it is on. `issuedOn` is
 * the day this body issued the certificate on taking it over; `today` the day in the body's zone.
 */
export function previousBodyHistory(
	rows: readonly PreviousBodyRow[],
	context: { issuedOn: IsoDate; today: IsoDate }
): PreviousBodyVerdict {
	const lines: PreviousBodyLine[] = [];
	let suspended = false;
	let lastSuspension = -1;
	for (const [row, raw] of rows.entries()) {
		const on = raw.on.trim();
		const event = raw.event.trim();
		const note = raw.note.trim();
		if (!on && !event && !note) continue;
		const refuse = (field: 'on' | 'event' | 'note', reason: PreviousBodyProblem) =>
			({ ok: false, row, field, reason }) as const;

		if (!on) return refuse('on', 'date_required');
		if (!isIsoDate(on) || on < EARLIEST || on > LATEST) return refuse('on', 'date_invalid');
		if (on > context.today) return refuse('on', 'date_future');
		if (on > context.issuedOn) return refuse('on', 'date_after_issue');
		const previous = lines[lines.length - 1];
		if (previous && on < previous.on) return refuse('on', 'date_order');
		if (!event) return refuse('event', 'event_required');
		if (!isEvent(event)) return refuse('event', 'event_unknown');
		if (note.length > PREVIOUS_BODY_NOTE_MAX) return refuse('note', 'note_too_long');

		if (event === 'issued' && lines.length > 0) return refuse('event', 'issued_not_first');
		if (event === 'suspended') {
			if (suspended) return refuse('event', 'suspended_already');
			suspended = true;
			lastSuspension = row;
		} else if (event === 'restored') {
			if (!suspended) return refuse('event', 'restored_not_suspended');
			suspended = false;
		} else if (suspended && NOT_WHILE_SUSPENDED.includes(event))
			return refuse('event', 'while_suspended');
		lines.push({ on, event, note, position: lines.length + 1 });
	}
	if (suspended)
		return { ok: false, row: lastSuspension, field: 'event', reason: 'ends_suspended' };
	return { ok: true, lines };
}
