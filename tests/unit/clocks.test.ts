import { describe, expect, it } from 'vitest';
import { nonconformityStages } from '../../src/lib/server/domain/clocks/nonconformity';
import {
	expiryStages,
	withdrawalProposalStage
} from '../../src/lib/server/domain/clocks/certificate';
import { surveillanceStage } from '../../src/lib/server/domain/clocks/surveillance';
import {
	obligationReminderStage,
	periodContaining,
	periodsToGenerate
} from '../../src/lib/server/domain/clocks/obligations';
import { addDays } from '../../src/lib/server/domain/calendar';
import { DEFAULT_SCHEME_RULES } from '../../src/lib/server/domain/scheme-rules';

const rules = DEFAULT_SCHEME_RULES;
const due = '2026-12-20';

describe('nonconformity clock', () => {
	const reminderOn = (day: string) =>
		nonconformityStages({ dueOn: due, grade: 'major' }, rules, day).reminder?.stage ?? null;

	it('reaches 14, 7, 1 days before, the day, then each week overdue', () => {
		expect(reminderOn(addDays(due, -15))).toBeNull();
		expect(reminderOn(addDays(due, -14))).toBe('before_14d');
		expect(reminderOn(addDays(due, -10))).toBe('before_14d');
		expect(reminderOn(addDays(due, -7))).toBe('before_7d');
		expect(reminderOn(addDays(due, -1))).toBe('before_1d');
		expect(reminderOn(due)).toBe('on_day');
		expect(reminderOn(addDays(due, 6))).toBe('on_day');
		expect(reminderOn(addDays(due, 7))).toBe('overdue_7d');
		expect(reminderOn(addDays(due, 15))).toBe('overdue_14d');
	});

	it('escalates from 7 days overdue; a major is due for suspension from the first late day', () => {
		const late = nonconformityStages({ dueOn: due, grade: 'major' }, rules, addDays(due, 1));
		expect(late.escalation).toBeNull();
		expect(late.suspensionDue).toMatchObject({
			stage: 'suspension_due',
			suspendBy: addDays(due, 6)
		});
		expect(
			nonconformityStages({ dueOn: due, grade: 'major' }, rules, addDays(due, 7)).escalation?.stage
		).toBe('escalation');
		expect(
			nonconformityStages({ dueOn: due, grade: 'major' }, rules, due).suspensionDue
		).toBeNull();
	});

	it('regrades an overdue minor only under the rule', () => {
		const day = addDays(due, 1);
		expect(nonconformityStages({ dueOn: due, grade: 'minor' }, rules, day).regrade).toBeNull();
		expect(
			nonconformityStages(
				{ dueOn: due, grade: 'minor' },
				{ ...rules, overdueMinorBecomesMajor: true },
				day
			).regrade?.stage
		).toBe('regrade_major');
	});
});

describe('certificate clocks', () => {
	it('reminds 6, 3, 1 months before expiry and expires the day after the last valid day', () => {
		const expiresOn = '2027-06-30';
		expect(expiryStages({ expiresOn }, '2026-12-29').reminder).toBeNull();
		expect(expiryStages({ expiresOn }, '2026-12-30').reminder?.stage).toBe('before_6m');
		expect(expiryStages({ expiresOn }, '2027-03-30').reminder?.stage).toBe('before_3m');
		expect(expiryStages({ expiresOn }, '2027-05-30').reminder?.stage).toBe('before_1m');
		expect(expiryStages({ expiresOn }, expiresOn).expire).toBeNull();
		expect(expiryStages({ expiresOn }, '2027-07-01').expire?.stage).toBe('expired');
	});

	it('proposes withdrawal once a suspension outlasts max_suspension_months', () => {
		expect(withdrawalProposalStage('2026-06-01', rules, '2026-11-30')).toBeNull();
		expect(withdrawalProposalStage('2026-06-01', rules, '2026-12-01')?.dueOn).toBe('2026-12-01');
	});

	it('counts surveillance from the decision: 60 and 30 days before, then weekly overdue', () => {
		const subject = {
			issuedOn: '2026-01-10',
			decidedOn: '2026-01-05',
			renewedOn: null,
			lastSurveillanceEndedOn: null
		};
		expect(surveillanceStage(subject, rules, '2026-11-06').stage?.stage).toBe('before_60d');
		expect(surveillanceStage(subject, rules, '2026-12-06').stage?.stage).toBe('before_30d');
		expect(surveillanceStage(subject, rules, '2027-01-12').stage?.stage).toBe('overdue_7d');
	});

	it('after a renewal, reminds of the new cycle’s first surveillance only', () => {
		// The old cycle's last surveillance ended 2028-01-15 (due again 2029-01-15); the renewal on
		// 2028-12-01 starts a new cycle: first surveillance due 2029-12-01.
		const renewed = {
			issuedOn: '2026-01-10',
			decidedOn: '2028-12-01',
			renewedOn: '2028-12-01',
			lastSurveillanceEndedOn: '2028-01-15'
		};
		expect(surveillanceStage(renewed, rules, '2028-12-15')).toEqual({
			dueOn: '2029-12-01',
			stage: null
		});
		// Where the old cycle's 30-day reminder would have come, nothing.
		expect(surveillanceStage(renewed, rules, '2028-12-16').stage).toBeNull();
		expect(surveillanceStage(renewed, rules, '2029-01-22').stage).toBeNull();
		expect(surveillanceStage(renewed, rules, '2029-10-02').stage?.stage).toBe('before_60d');
		expect(surveillanceStage(renewed, rules, '2029-12-08').stage?.stage).toBe('overdue_7d');
		// A surveillance of the new cycle counts again.
		expect(
			surveillanceStage({ ...renewed, lastSurveillanceEndedOn: '2029-11-20' }, rules, '2030-01-01')
				.dueOn
		).toBe('2030-11-20');
	});
});

describe('recurring obligations', () => {
	it('monthly: day N of the next month, clamped to its end', () => {
		expect(
			periodContaining({ cadence: 'monthly', dueDay: 2, startsOn: '2026-01-01' }, '2026-11-15')
		).toEqual({
			periodStart: '2026-11-01',
			periodEnd: '2026-11-30',
			dueOn: '2026-12-02'
		});
		expect(
			periodContaining({ cadence: 'monthly', dueDay: 31, startsOn: '2026-01-01' }, '2026-01-15')
				.dueOn
		).toBe('2026-02-28');
	});

	it('weekly: weekday W of the next week; quarterly: day N of the next quarter', () => {
		// 2026-12-02 is a Wednesday; Tuesday of the next week is 2026-12-08.
		expect(
			periodContaining({ cadence: 'weekly', dueDay: 2, startsOn: '2026-01-01' }, '2026-12-02')
		).toEqual({
			periodStart: '2026-11-30',
			periodEnd: '2026-12-06',
			dueOn: '2026-12-08'
		});
		expect(
			periodContaining({ cadence: 'quarterly', dueDay: 2, startsOn: '2026-01-01' }, '2026-11-15')
		).toEqual({
			periodStart: '2026-10-01',
			periodEnd: '2026-12-31',
			dueOn: '2027-01-02'
		});
	});

	it('generates the previous and the current period, never before the start', () => {
		const rule = { cadence: 'monthly' as const, dueDay: 2, startsOn: '2026-12-01' };
		expect(periodsToGenerate(rule, '2026-12-01').map((p) => p.periodStart)).toEqual(['2026-12-01']);
		expect(
			periodsToGenerate({ ...rule, startsOn: '2026-01-01' }, '2026-12-01').map((p) => p.dueOn)
		).toEqual(['2026-12-02', '2027-01-02']);
	});

	it('reminds 3 days before, on the day, then weekly overdue', () => {
		expect(obligationReminderStage('2026-12-02', '2026-11-28')).toBeNull();
		expect(obligationReminderStage('2026-12-02', '2026-11-29')?.stage).toBe('before_3d');
		expect(obligationReminderStage('2026-12-02', '2026-12-02')?.stage).toBe('on_day');
		expect(obligationReminderStage('2026-12-02', '2026-12-09')?.stage).toBe('overdue_7d');
	});
});
