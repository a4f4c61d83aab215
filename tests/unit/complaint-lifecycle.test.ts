import { describe, expect, it } from 'vitest';
import {
	acknowledgeBy,
	acknowledgementClock,
	complaintReference,
	complaintStepsFrom,
	COMPLAINT_STATUSES,
	COMPLAINT_STEPS,
	decideComplaintStep,
	normaliseReference
} from '../../src/lib/server/domain/complaint-lifecycle';

/* A complaint's steps, its acknowledgement clock in working days, and its public reference. */

describe('complaint steps', () => {
	const allowed: Record<string, string[]> = {
		received: ['acknowledge'],
		acknowledged: ['investigate', 'resolve', 'reject'],
		investigating: ['resolve', 'reject'],
		resolved: [],
		rejected: []
	};
	it.each([...COMPLAINT_STATUSES])('from %s, only the allowed steps', (status) => {
		expect(complaintStepsFrom(status)).toEqual(allowed[status]);
		for (const step of COMPLAINT_STEPS)
			expect(decideComplaintStep(status, step).ok, `${status} ${step}`).toBe(
				allowed[status]!.includes(step)
			);
	});
	it('names the status each step leads to', () => {
		expect(decideComplaintStep('received', 'acknowledge')).toEqual({
			ok: true,
			to: 'acknowledged'
		});
		expect(decideComplaintStep('investigating', 'reject')).toEqual({ ok: true, to: 'rejected' });
	});
});

describe('the acknowledgement clock', () => {
	it('counts five working days, skipping the weekend', () => {
		// 2026-12-04 is a Friday: Mon 7 … Fri 11.
		expect(acknowledgeBy('2026-12-04')).toBe('2026-12-11');
		// Received on a Saturday: Mon 7 … Fri 11 as well.
		expect(acknowledgeBy('2026-12-05')).toBe('2026-12-11');
		expect(acknowledgeBy('2026-12-07')).toBe('2026-12-14');
	});
	it('says days left, the last day, overdue, and late acknowledgements', () => {
		expect(acknowledgementClock('2026-12-04', null, '2026-12-08')).toEqual({
			kind: 'due',
			by: '2026-12-11',
			daysLeft: 3
		});
		expect(acknowledgementClock('2026-12-04', null, '2026-12-11')).toMatchObject({ daysLeft: 0 });
		expect(acknowledgementClock('2026-12-04', null, '2026-12-14')).toEqual({
			kind: 'overdue',
			by: '2026-12-11',
			daysOver: 3
		});
		expect(acknowledgementClock('2026-12-04', '2026-12-11', '2026-12-20')).toEqual({
			kind: 'acknowledged',
			on: '2026-12-11',
			late: false
		});
		expect(acknowledgementClock('2026-12-04', '2026-12-12', '2026-12-20')).toMatchObject({
			late: true
		});
	});
});

describe('references', () => {
	it('makes C- and eight characters without look-alikes, and reads them loosely', () => {
		const reference = complaintReference(new Uint8Array([0, 1, 2, 3, 30, 31, 255, 100]));
		expect(reference).toMatch(/^C-[2-9A-HJKMNP-Z]{8}$/);
		expect(
			normaliseReference(` ${reference.toLowerCase().slice(0, 4)} ${reference.slice(4)} `)
		).toBe(reference);
		expect(() => complaintReference(new Uint8Array(4))).toThrow();
	});
});
