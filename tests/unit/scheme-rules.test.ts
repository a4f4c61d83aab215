import { describe, it, expect } from 'vitest';
import {
	DEFAULT_SCHEME_RULES,
	certificateExpiry,
	gradeForScore,
	nextSurveillanceDue,
	nonconformityDueDate,
	renewedExpiry,
	RESTORATION_MONTHS,
	restorationGap,
	restorationLimit,
	schemeRulesFromRow,
	surveillanceDue,
	suspensionLimit,
	type SchemeRules
} from '../../src/lib/server/domain/scheme-rules';
import { updateSchemeRulesInput } from '../../src/lib/server/services/scheme-rules.schema';
import { addDays, addMonths } from '../../src/lib/server/domain/calendar';

/* The scheme's clocks (SPEC §3), with the defaults the SPEC names and rules edited per standard. */

const rules = (overrides: Partial<SchemeRules> = {}): SchemeRules => ({
	...DEFAULT_SCHEME_RULES,
	...overrides
});

describe('DEFAULT_SCHEME_RULES', () => {
	it('are the defaults of SPEC §3', () => {
		expect(DEFAULT_SCHEME_RULES).toEqual({
			certificateValidityMonths: 36, // 3 years
			firstSurveillanceMonths: 12, // 12 months …
			firstSurveillanceFrom: 'decision', // … from the certification decision
			maxSurveillanceGapMonths: 12,
			majorDueDays: 30,
			minorDueDays: 90,
			overdueMinorBecomesMajor: false,
			maxSuspensionMonths: 6,
			suspendWithinDays: 5
		});
	});
});

describe('certificateExpiry: valid through the day before the same date N months on', () => {
	it.each([
		// issued on, expires on (36 months)
		['2026-11-26', '2029-11-25'],
		['2026-01-01', '2028-12-31'],
		['2026-03-01', '2029-02-28'],
		['2025-03-01', '2028-02-29'], // ends in a leap February
		['2027-03-01', '2030-02-28'],
		['2026-12-31', '2029-12-30'],
		['2026-01-31', '2029-01-30'],
		['2026-02-28', '2029-02-27'],
		['2028-02-28', '2031-02-27'],
		// Issued on a leap day: three years on there is no 29 February, so the anniversary is
		// 1 March and the certificate runs through the day before, 28 February.
		['2024-02-29', '2027-02-28'],
		['2028-02-29', '2031-02-28'],
		// A leap day four years on, and a leap February's end, are ordinary days.
		['2028-03-01', '2031-02-28'],
		['2029-03-01', '2032-02-29']
	])('36 months: issued %s → expires %s', (issuedOn, expiresOn) => {
		expect(certificateExpiry(issuedOn, DEFAULT_SCHEME_RULES)).toBe(expiresOn);
	});

	it.each([
		['2026-11-26', '2028-11-25'],
		['2026-03-01', '2028-02-29'], // ends in a leap February
		['2027-03-01', '2029-02-28'],
		['2024-02-29', '2026-02-28'],
		['2026-02-28', '2028-02-27']
	])('24 months: issued %s → expires %s', (issuedOn, expiresOn) => {
		expect(certificateExpiry(issuedOn, rules({ certificateValidityMonths: 24 }))).toBe(expiresOn);
	});

	it('48 months from a leap day reaches a leap day: through the 28th', () => {
		expect(certificateExpiry('2028-02-29', rules({ certificateValidityMonths: 48 }))).toBe(
			'2032-02-28'
		);
	});

	it('a day the last month lacks: through that month’s end, not the day before it', () => {
		const months = (certificateValidityMonths: number) => rules({ certificateValidityMonths });
		expect(certificateExpiry('2026-01-31', months(1))).toBe('2026-02-28');
		expect(certificateExpiry('2027-01-30', months(1))).toBe('2027-02-28');
		expect(certificateExpiry('2027-01-29', months(1))).toBe('2027-02-28');
		expect(certificateExpiry('2027-01-28', months(1))).toBe('2027-02-27');
		expect(certificateExpiry('2026-05-31', months(1))).toBe('2026-06-30');
		expect(certificateExpiry('2026-05-30', months(1))).toBe('2026-06-29');
	});

	it('never leaves a day out: the next cycle starts the day after the expiry', () => {
		// Every issue day over four years: the validity is a whole number of months, and a
		// certificate issued the day after another's expiry continues it (renewedExpiry).
		let day = '2026-01-01';
		for (let i = 0; i < 4 * 366; i++, day = addDays(day, 1)) {
			const expiry = certificateExpiry(day, DEFAULT_SCHEME_RULES);
			expect(expiry > addDays(addMonths(day, 36), -2)).toBe(true);
			expect(renewedExpiry(expiry, DEFAULT_SCHEME_RULES)).toBe(
				certificateExpiry(addDays(expiry, 1), DEFAULT_SCHEME_RULES)
			);
		}
	});

	it('rejects something that is not a calendar date', () => {
		expect(() => certificateExpiry('2026-02-30', DEFAULT_SCHEME_RULES)).toThrow(RangeError);
	});
});

describe('renewedExpiry: the prior cycle’s expiry plus the validity', () => {
	it.each([
		['2029-01-09', '2032-01-09'],
		['2029-02-28', '2032-02-29'], // a month's end stays one
		['2028-02-29', '2031-02-28'],
		// A leap-day certificate's first expiry (28 Feb 2031) renews to 28 Feb 2034, then 2037:
		// each cycle ends the day before the leap-day anniversary, 1 March.
		['2031-02-28', '2034-02-28'],
		['2034-02-28', '2037-02-28'],
		['2028-02-28', '2031-02-28'],
		['2027-02-27', '2030-02-27']
	])('36 months: %s → %s', (expiresOn, renewed) => {
		expect(renewedExpiry(expiresOn, DEFAULT_SCHEME_RULES)).toBe(renewed);
	});

	it('continues a leap-day certificate as one unbroken validity', () => {
		const first = certificateExpiry('2028-02-29', DEFAULT_SCHEME_RULES);
		expect(first).toBe('2031-02-28');
		expect(renewedExpiry(first, DEFAULT_SCHEME_RULES)).toBe(
			certificateExpiry('2031-03-01', DEFAULT_SCHEME_RULES)
		);
	});
});

describe('restoration after expiry (ISO/IEC 17021-1 9.6.3.2.5)', () => {
	it('is possible for 6 months after the last valid day', () => {
		expect(RESTORATION_MONTHS).toBe(6);
		expect(restorationLimit('2029-01-09')).toBe('2029-07-09');
		expect(restorationLimit('2029-08-31')).toBe('2030-02-28');
		expect(restorationLimit('2031-08-29')).toBe('2032-02-29');
		expect(restorationLimit('2031-02-28')).toBe('2031-08-28');
	});

	it('records the lapse from the day after the expiry to the restoring decision', () => {
		expect(restorationGap('2029-01-09', '2029-01-09')).toBeNull();
		expect(restorationGap('2029-01-09', '2028-12-01')).toBeNull();
		expect(restorationGap('2029-01-09', '2029-01-10')).toEqual({
			from: '2029-01-10',
			restoredOn: '2029-01-10',
			days: 1
		});
		expect(restorationGap('2031-02-28', '2031-04-01')).toEqual({
			from: '2031-03-01',
			restoredOn: '2031-04-01',
			days: 32
		});
		expect(restorationGap('2032-02-28', '2032-03-01')).toEqual({
			from: '2032-02-29',
			restoredOn: '2032-03-01',
			days: 2
		});
	});
});

describe('nonconformityDueDate', () => {
	it.each([
		['2026-11-26', 'major', '2026-12-26'],
		['2026-11-26', 'minor', '2027-02-24'],
		['2028-02-01', 'major', '2028-03-02'], // 29 days in February 2028
		['2027-02-01', 'major', '2027-03-03'], // 28 in 2027
		['2026-12-15', 'major', '2027-01-14'],
		['2028-01-01', 'minor', '2028-03-31']
	] as const)('raised %s, %s → due %s (30/90 days)', (raisedOn, grade, due) => {
		expect(nonconformityDueDate(raisedOn, grade, DEFAULT_SCHEME_RULES)).toBe(due);
	});

	it('follows the standard’s own deadlines', () => {
		const custom = rules({ majorDueDays: 7, minorDueDays: 45 });
		expect(nonconformityDueDate('2026-11-26', 'major', custom)).toBe('2026-12-03');
		expect(nonconformityDueDate('2026-11-26', 'minor', custom)).toBe('2027-01-10');
	});
});

describe('nextSurveillanceDue', () => {
	const certificate = { issuedOn: '2026-02-10', decidedOn: '2026-01-20' };

	it('is 12 months after the certification decision by default', () => {
		expect(nextSurveillanceDue(certificate, null, DEFAULT_SCHEME_RULES)).toBe('2027-01-20');
	});

	it('is 12 months after issue when the scheme counts from issue (CNCA)', () => {
		expect(nextSurveillanceDue(certificate, null, rules({ firstSurveillanceFrom: 'issue' }))).toBe(
			'2027-02-10'
		);
	});

	it('follows the scheme’s first-surveillance interval', () => {
		expect(nextSurveillanceDue(certificate, null, rules({ firstSurveillanceMonths: 6 }))).toBe(
			'2026-07-20'
		);
		expect(
			nextSurveillanceDue(
				certificate,
				null,
				rules({ firstSurveillanceMonths: 9, firstSurveillanceFrom: 'issue' })
			)
		).toBe('2026-11-10');
	});

	it('after a surveillance, is at most the longest gap after the last one, whatever the origin', () => {
		for (const firstSurveillanceFrom of ['decision', 'issue'] as const) {
			expect(nextSurveillanceDue(certificate, '2027-01-15', rules({ firstSurveillanceFrom }))).toBe(
				'2028-01-15'
			);
			expect(
				nextSurveillanceDue(
					certificate,
					'2027-01-15',
					rules({ firstSurveillanceFrom, maxSurveillanceGapMonths: 10 })
				)
			).toBe('2027-11-15');
		}
	});

	it('clamps to the end of a shorter month', () => {
		expect(
			nextSurveillanceDue(
				{ issuedOn: '2024-03-01', decidedOn: '2024-02-29' },
				null,
				DEFAULT_SCHEME_RULES
			)
		).toBe('2025-02-28');
		expect(
			nextSurveillanceDue(
				{ issuedOn: '2026-01-31', decidedOn: '2026-01-31' },
				'2027-05-31',
				rules({ maxSurveillanceGapMonths: 9 })
			)
		).toBe('2028-02-29');
	});
});

describe('nextSurveillanceDue after a renewal: the new cycle', () => {
	// Issued (and decided) 2026-01-20; surveillances ended 2027-01-15 and 2028-01-10; renewed
	// on 2028-12-01 (the certificate's decided_on moves to the renewal's day).
	const renewed = { issuedOn: '2026-01-20', decidedOn: '2028-12-01', renewedOn: '2028-12-01' };

	it('counts the first surveillance from the renewal decision, whatever the origin', () => {
		for (const firstSurveillanceFrom of ['decision', 'issue'] as const) {
			expect(surveillanceDue(renewed, null, rules({ firstSurveillanceFrom }))).toEqual({
				dueOn: '2029-12-01',
				from: 'renewal',
				fromOn: '2028-12-01'
			});
			// The old cycle's last surveillance counts no more (it was due again 2029-01-10).
			expect(nextSurveillanceDue(renewed, '2028-01-10', rules({ firstSurveillanceFrom }))).toBe(
				'2029-12-01'
			);
		}
		// The recertification evaluation itself ended before the decision: old cycle too.
		expect(nextSurveillanceDue(renewed, '2028-11-20', DEFAULT_SCHEME_RULES)).toBe('2029-12-01');
		expect(nextSurveillanceDue(renewed, '2028-12-01', DEFAULT_SCHEME_RULES)).toBe('2029-12-01');
		expect(nextSurveillanceDue(renewed, null, rules({ firstSurveillanceMonths: 6 }))).toBe(
			'2029-06-01'
		);
	});

	it('counts from the last surveillance of the new cycle once there is one', () => {
		expect(surveillanceDue(renewed, '2029-11-20', DEFAULT_SCHEME_RULES)).toEqual({
			dueOn: '2030-11-20',
			from: 'last',
			fromOn: '2029-11-20'
		});
	});

	it('counts the first cycle as before: no renewal, the scheme’s origin', () => {
		const first = { issuedOn: '2026-02-10', decidedOn: '2026-01-20', renewedOn: null };
		expect(surveillanceDue(first, null, DEFAULT_SCHEME_RULES)).toMatchObject({
			dueOn: '2027-01-20',
			from: 'decision'
		});
		expect(surveillanceDue(first, null, rules({ firstSurveillanceFrom: 'issue' }))).toMatchObject({
			dueOn: '2027-02-10',
			from: 'issue'
		});
		expect(surveillanceDue(first, '2027-01-15', DEFAULT_SCHEME_RULES).from).toBe('last');
	});

	it('restored after a lapse: from the restoring decision; leap days clamp', () => {
		// Expired 2031-02-28, restored on 2032-02-29: first surveillance 2033-02-28.
		expect(
			nextSurveillanceDue(
				{ issuedOn: '2028-02-29', decidedOn: '2032-02-29', renewedOn: '2032-02-29' },
				'2030-01-10',
				DEFAULT_SCHEME_RULES
			)
		).toBe('2033-02-28');
	});
});

describe('suspensionLimit', () => {
	it.each([
		['2026-11-26', 6, '2027-05-26'],
		['2026-08-31', 6, '2027-02-28'],
		['2027-08-31', 6, '2028-02-29'],
		['2026-11-26', 3, '2027-02-26']
	] as const)('suspended %s, at most %i months → %s', (suspendedOn, months, limit) => {
		expect(suspensionLimit(suspendedOn, rules({ maxSuspensionMonths: months }))).toBe(limit);
	});
});

describe('gradeForScore with the GB/T 27922 star grades', () => {
	// Rank 1 is the best grade.
	const FIVE = { rank: 1, code: '5-star', minScore: 95 };
	const FOUR = { rank: 2, code: '4-star', minScore: 90 };
	const THREE = { rank: 3, code: '3-star', minScore: 80 };
	const PASS = { rank: 4, code: 'pass', minScore: 70 };
	const SCALE = [FIVE, FOUR, THREE, PASS];

	it.each([
		[100, '5-star'],
		[95, '5-star'],
		[94.9, '4-star'],
		[90, '4-star'],
		[89.99, '3-star'],
		[80, '3-star'],
		[79.99, 'pass'],
		[70, 'pass'],
		[69.99, null],
		[69, null],
		[0, null]
	])('%s → %s', (score, code) => {
		expect(gradeForScore(score, SCALE)?.code ?? null).toBe(code);
	});

	it('does not depend on the order the levels come in', () => {
		const shuffled = [THREE, PASS, FIVE, FOUR];
		for (const [score, code] of [
			[97, '5-star'],
			[91, '4-star'],
			[85, '3-star'],
			[72, 'pass']
		] as const)
			expect(gradeForScore(score, shuffled)?.code).toBe(code);
	});

	it('never awards a level without a threshold', () => {
		const scale = [{ rank: 1, code: 'honour', minScore: null }, FOUR, THREE];
		expect(gradeForScore(100, scale)?.code).toBe('4-star');
		expect(gradeForScore(50, scale)).toBeNull();
		expect(gradeForScore(100, [])).toBeNull();
	});
});

describe('schemeRulesFromRow', () => {
	it('maps every stored column to the domain shape', () => {
		expect(
			schemeRulesFromRow({
				certificate_validity_months: 24,
				first_surveillance_months: 6,
				first_surveillance_from: 'issue',
				max_surveillance_gap_months: 10,
				major_due_days: 15,
				minor_due_days: 60,
				overdue_minor_becomes_major: true,
				max_suspension_months: 3,
				suspend_within_days: 5
			})
		).toEqual({
			certificateValidityMonths: 24,
			firstSurveillanceMonths: 6,
			firstSurveillanceFrom: 'issue',
			maxSurveillanceGapMonths: 10,
			majorDueDays: 15,
			minorDueDays: 60,
			overdueMinorBecomesMajor: true,
			maxSuspensionMonths: 3,
			suspendWithinDays: 5
		});
	});
});

describe('updateSchemeRulesInput: one schema for the tRPC procedure and the form', () => {
	const standardId = '0b6f1b1e-8a41-4c39-9d3c-6a1f2f7b9c10';
	const form = {
		standardId,
		version: '3',
		certificateValidityMonths: '36',
		firstSurveillanceMonths: ' 12 ',
		firstSurveillanceFrom: 'issue',
		maxSurveillanceGapMonths: '12',
		majorDueDays: '30',
		minorDueDays: '60',
		overdueMinorBecomesMajor: 'on',
		maxSuspensionMonths: '6',
		suspendWithinDays: '7'
	};

	it('reads a form’s digits and checkbox as the typed values', () => {
		expect(updateSchemeRulesInput.parse(form)).toEqual({
			standardId,
			version: 3,
			certificateValidityMonths: 36,
			firstSurveillanceMonths: 12,
			firstSurveillanceFrom: 'issue',
			maxSurveillanceGapMonths: 12,
			majorDueDays: 30,
			minorDueDays: 60,
			overdueMinorBecomesMajor: true,
			maxSuspensionMonths: 6,
			suspendWithinDays: 7
		});
		const { overdueMinorBecomesMajor: _ticked, ...unticked } = form;
		expect(updateSchemeRulesInput.parse(unticked).overdueMinorBecomesMajor).toBe(false);
	});

	it('takes the typed values of a tRPC call as they are', () => {
		expect(
			updateSchemeRulesInput.parse({ standardId, version: 0, ...DEFAULT_SCHEME_RULES })
		).toEqual({ standardId, version: 0, ...DEFAULT_SCHEME_RULES });
	});

	it.each([
		['majorDueDays', '0', 'catalogue_rules_error_major'],
		['majorDueDays', '1.5', 'catalogue_rules_error_major'],
		['minorDueDays', 'sixty', 'catalogue_rules_error_minor'],
		['suspendWithinDays', '99999999999', 'catalogue_rules_error_suspend_within'],
		['version', '-1', 'error_number_out_of_range'],
		['version', '2147483648', 'error_number_out_of_range']
	])('refuses %s = %j with %s', (field, value, key) => {
		const result = updateSchemeRulesInput.safeParse({ ...form, [field]: value });
		expect(result.success).toBe(false);
		expect(result.error?.issues[0]).toMatchObject({ path: [field], message: key });
	});
});
