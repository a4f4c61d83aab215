import { m } from '$lib/paraglide/messages';
import type { AcknowledgementClock } from '$lib/server/domain/complaint-lifecycle';

/* Complaints' statuses, steps and acknowledgement clock in words, in the current language. */

const statuses: Record<string, () => string> = {
	received: m.complaints_status_received,
	acknowledged: m.complaints_status_acknowledged,
	investigating: m.complaints_status_investigating,
	resolved: m.complaints_status_resolved,
	rejected: m.complaints_status_rejected
};

const steps: Record<string, () => string> = {
	acknowledge: m.complaints_step_acknowledge,
	investigate: m.complaints_step_investigate,
	resolve: m.complaints_step_resolve,
	reject: m.complaints_step_reject
};

export const complaintStatusLabel = (status: string) => statuses[status]?.() ?? status;
export const complaintStepLabel = (step: string) => steps[step]?.() ?? step;

export function acknowledgementClockLabel(clock: AcknowledgementClock): string {
	switch (clock.kind) {
		case 'acknowledged':
			return clock.late
				? m.complaints_clock_done_late({ on: clock.on })
				: m.complaints_clock_done({ on: clock.on });
		case 'due':
			return clock.daysLeft === 0
				? m.complaints_clock_due_today({ by: clock.by })
				: m.complaints_clock_due({ by: clock.by, days: clock.daysLeft });
		case 'overdue':
			return m.complaints_clock_overdue({ by: clock.by, days: clock.daysOver });
	}
}
