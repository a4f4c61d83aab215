import type { NonconformityGrade } from '../../../../db/schema';
import { addDays, addMonths, type IsoDate } from './calendar';

/*
 * The clocks of a certification scheme (SPEC §3). Every date the product computes comes from
 * these rules, per standard, editable by the body's admin; nothing here is hard-coded elsewhere.
 */

export interface SchemeRules {
	certificateValidityMonths: number;
	firstSurveillanceMonths: number;
	/** CNCA schemes count the first surveillance from certificate issue; others from the decision. */
	firstSurveillanceFrom: 'decision' | 'issue';
	maxSurveillanceGapMonths: number;
	majorDueDays: number;
	minorDueDays: number;
	overdueMinorBecomesMajor: boolean;
	maxSuspensionMonths: number;
	suspendWithinDays: number;
}

export const DEFAULT_SCHEME_RULES: SchemeRules = {
	certificateValidityMonths: 36,
	firstSurveillanceMonths: 12,
	firstSurveillanceFrom: 'decision',
	maxSurveillanceGapMonths: 12,
	majorDueDays: 30,
	minorDueDays: 90,
	overdueMinorBecomesMajor: false,
	maxSuspensionMonths: 6,
	suspendWithinDays: 5
};

/** A certificate issued on `issuedOn` is valid through the day before the same date N months on. */
export function certificateExpiry(issuedOn: IsoDate, rules: SchemeRules): IsoDate {
	return addDays(addMonths(issuedOn, rules.certificateValidityMonths), -1);
}

/** The last day of the month `iso` falls in. */
function monthEnd(iso: IsoDate): IsoDate {
	return addDays(addMonths(`${iso.slice(0, 8)}01`, 1), -1);
}

/**
 * The last valid day of a certificate renewed within its validity (ISO/IEC 17021-1 9.6.3.2: the
 * new expiry is based on the prior certification cycle, whenever in it the decision is taken):
 * the old expiry plus the scheme's validity months, and a cycle that ended on a month's last day
 * ends on the last day of that month again — so 28 Feb 2029 renews to 29 Feb 2032, and 29 Feb
 * 2028 to 28 Feb 2031. For an expiry the scheme computed (`certificateExpiry`), that is the day
 * before the renewal's cycle would reach the date it started on: the validity never breaks.
 */
export function renewedExpiry(expiresOn: IsoDate, rules: SchemeRules): IsoDate {
	const next = addMonths(expiresOn, rules.certificateValidityMonths);
	return monthEnd(expiresOn) === expiresOn ? monthEnd(next) : next;
}

/** The due date of a nonconformity raised on `raisedOn`. */
export function nonconformityDueDate(
	raisedOn: IsoDate,
	grade: NonconformityGrade,
	rules: SchemeRules
): IsoDate {
	return addDays(raisedOn, grade === 'major' ? rules.majorDueDays : rules.minorDueDays);
}

/**
 * When the next surveillance evaluation falls due: the first one a set time after the
 * certification decision (or issue); each later one at most the longest gap after the last.
 */
export function nextSurveillanceDue(
	certificate: { issuedOn: IsoDate; decidedOn: IsoDate },
	lastSurveillanceEndedOn: IsoDate | null,
	rules: SchemeRules
): IsoDate {
	if (lastSurveillanceEndedOn)
		return addMonths(lastSurveillanceEndedOn, rules.maxSurveillanceGapMonths);
	const from =
		rules.firstSurveillanceFrom === 'issue' ? certificate.issuedOn : certificate.decidedOn;
	return addMonths(from, rules.firstSurveillanceMonths);
}

/** The date by which a suspended certificate should be proposed for withdrawal. */
export function suspensionLimit(suspendedOn: IsoDate, rules: SchemeRules): IsoDate {
	return addMonths(suspendedOn, rules.maxSuspensionMonths);
}

/** The grade a score earns on a scale (GB/T 27922 as applied: ≥95 五星, ≥90 四星, ≥80 三星, ≥70 达标). */
export function gradeForScore<Level extends { minScore: number | null; rank: number }>(
	score: number,
	levels: Level[]
): Level | null {
	const eligible = levels
		.filter((level) => level.minScore !== null && score >= level.minScore)
		.sort((a, b) => a.rank - b.rank);
	return eligible[0] ?? null;
}

/** Scheme rules as stored (snake_case row) to the domain shape. */
export function schemeRulesFromRow(row: {
	certificate_validity_months: number;
	first_surveillance_months: number;
	first_surveillance_from: 'decision' | 'issue';
	max_surveillance_gap_months: number;
	major_due_days: number;
	minor_due_days: number;
	overdue_minor_becomes_major: boolean;
	max_suspension_months: number;
	suspend_within_days: number;
}): SchemeRules {
	return {
		certificateValidityMonths: row.certificate_validity_months,
		firstSurveillanceMonths: row.first_surveillance_months,
		firstSurveillanceFrom: row.first_surveillance_from,
		maxSurveillanceGapMonths: row.max_surveillance_gap_months,
		majorDueDays: row.major_due_days,
		minorDueDays: row.minor_due_days,
		overdueMinorBecomesMajor: row.overdue_minor_becomes_major,
		maxSuspensionMonths: row.max_suspension_months,
		suspendWithinDays: row.suspend_within_days
	};
}
