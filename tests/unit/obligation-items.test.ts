import { describe, expect, it } from 'vitest';
import {
	awaitsSubmission,
	displayStatusOf,
	raiseAsFindingRefusal,
	reviewTransition,
	standingOf,
	submitTransition,
	type DueItemStatus
} from '../../src/lib/server/domain/obligation-items';

/* The pure rules of a recurring obligation's due item (issue 7 §3). */

const item = (status: DueItemStatus, submittedOn: string | null = null) => ({
	status,
	dueOn: '2026-12-02',
	submittedOn
});

describe('standing (the body: fulfilled / late / missing)', () => {
	it('submitted on or before the due day is fulfilled, after it late', () => {
		expect(standingOf(item('submitted', '2026-12-01'), '2026-12-20')).toBe('fulfilled');
		expect(standingOf(item('accepted', '2026-12-02'), '2026-12-20')).toBe('fulfilled');
		expect(standingOf(item('submitted', '2026-12-03'), '2026-12-20')).toBe('late');
		expect(standingOf(item('accepted', '2026-12-09'), '2026-12-09')).toBe('late');
	});

	it('not submitted: open through the due day, missing the day after', () => {
		expect(standingOf(item('pending'), '2026-11-30')).toBe('open');
		expect(standingOf(item('pending'), '2026-12-02')).toBe('open');
		expect(standingOf(item('pending'), '2026-12-03')).toBe('missing');
	});

	it('a rejected submission counts as not submitted (the item is open again)', () => {
		expect(standingOf(item('rejected', '2026-12-01'), '2026-12-02')).toBe('open');
		expect(standingOf(item('rejected', '2026-12-01'), '2026-12-05')).toBe('missing');
	});
});

describe('display status (the organisation)', () => {
	it('an unfulfilled item past due shows late; otherwise its status', () => {
		expect(displayStatusOf(item('pending'), '2026-12-02')).toBe('pending');
		expect(displayStatusOf(item('pending'), '2026-12-03')).toBe('late');
		expect(displayStatusOf(item('rejected'), '2026-12-03')).toBe('late');
		expect(displayStatusOf(item('rejected'), '2026-12-01')).toBe('rejected');
		expect(displayStatusOf(item('submitted', '2026-12-09'), '2026-12-10')).toBe('submitted');
		expect(displayStatusOf(item('accepted', '2026-12-01'), '2026-12-10')).toBe('accepted');
	});
});

describe('transitions', () => {
	it('submitting needs an open item and at least one file', () => {
		expect(awaitsSubmission('pending')).toBe(true);
		expect(awaitsSubmission('rejected')).toBe(true);
		expect(submitTransition('pending', 1)).toEqual({ ok: true, status: 'submitted' });
		expect(submitTransition('rejected', 2)).toEqual({ ok: true, status: 'submitted' });
		expect(submitTransition('pending', 0)).toMatchObject({
			ok: false,
			reason: 'obligations_error_no_evidence'
		});
		for (const status of ['submitted', 'accepted'] as const)
			expect(submitTransition(status, 3)).toMatchObject({
				ok: false,
				kind: 'CONFLICT',
				reason: 'obligations_error_not_open'
			});
	});

	it('only a submission is reviewed: accepted, or rejected (open again)', () => {
		expect(reviewTransition('submitted', true)).toEqual({ ok: true, status: 'accepted' });
		expect(reviewTransition('submitted', false)).toEqual({ ok: true, status: 'rejected' });
		for (const status of ['pending', 'accepted', 'rejected'] as const)
			expect(reviewTransition(status, true)).toMatchObject({
				ok: false,
				reason: 'obligations_error_not_submitted'
			});
	});

	it('only a late or missing item is raised as a finding, once', () => {
		expect(raiseAsFindingRefusal('late', false)).toBeNull();
		expect(raiseAsFindingRefusal('missing', false)).toBeNull();
		expect(raiseAsFindingRefusal('fulfilled', false)).toBe('obligations_error_not_late');
		expect(raiseAsFindingRefusal('open', false)).toBe('obligations_error_not_late');
		expect(raiseAsFindingRefusal('missing', true)).toBe('obligations_error_already_raised');
	});
});
