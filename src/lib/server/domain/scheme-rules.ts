import type { NonconformityGrade } from '../../../../db/schema';
import { addDays, addMonths, daysBetween, type IsoDate } from './calendar';

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

/**
 * A certificate issued on `issuedOn` is valid through the day before its anniversary N months
 * on. A day the target month lacks has its anniversary on the next month's 1st (29 February in
 * a common year: 1 March), so the certificate runs through that month's last day — 29 Feb 2028
 * to 28 Feb 2031, not the 27th that clamping the anniversary to 28 February would give.
 */
export function certificateExpiry(issuedOn: IsoDate, rules: SchemeRules): IsoDate {
	const anniversary = addMonths(issuedOn, rules.certificateValidityMonths);
	// addMonths clamps a missing day to the month's end: that end is then the last valid day.
	return anniversary.slice(8) < issuedOn.slice(8) ? anniversary : addDays(anniversary, -1);
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

/**
 * How long after its expiry a certification may still be restored by a recertification
 * decision (ISO/IEC 17021-1 9.6.3.2.5): after that, only a new initial certification.
 */
export const RESTORATION_MONTHS = 6;

/** The last day on which a certificate valid through `expiresOn` may be restored. */
export function restorationLimit(expiresOn: IsoDate): IsoDate {
	return addMonths(expiresOn, RESTORATION_MONTHS);
}

/**
 * The lapse of a restored certification: not valid from the day after its expiry until the
 * recertification decision restored it, `days` after the expiry. Null for a renewal decided
 * within the validity.
 */
export function restorationGap(
	expiresOn: IsoDate,
	decidedOn: IsoDate
): { from: IsoDate; restoredOn: IsoDate; days: number } | null {
	if (decidedOn <= expiresOn) return null;
	return {
		from: addDays(expiresOn, 1),
		restoredOn: decidedOn,
		days: daysBetween(expiresOn, decidedOn)
	};
}

/** The due date of a nonconformity raised on `raisedOn`. */
export function nonconformityDueDate(
	raisedOn: IsoDate,
	grade: NonconformityGrade,
	rules: SchemeRules
): IsoDate {
	return addDays(raisedOn, grade === 'major' ? rules.majorDueDays : rules.minorDueDays);
}

export interface SurveilledCertificate {
	issuedOn: IsoDate;
	decidedOn: IsoDate;
	/** The latest recertification decision that renewed (or restored) it; null if none. */
	renewedOn?: IsoDate | null;
}

/** What the next surveillance counts from: the last one of this cycle, else the cycle's start. */
export type SurveillanceOrigin = 'last' | 'decision' | 'issue' | 'renewal';

/**
 * When the next surveillance evaluation falls due, and what it counts from: the first one of a
 * cycle a set time after the cycle's start, each later one at most the longest gap after the
 * last. The initial cycle starts at the certification decision (or, CNCA, the issue). A renewal
 * starts a new cycle (ISO/IEC 17021-1 9.6.2, 9.6.3): the renewed certificate is issued on or
 * after the recertification decision (9.6.3.2.3), so both origins are that decision's date, and
 * a surveillance that ended before it belongs to the cycle it closed and counts no more.
 */
export function surveillanceDue(
	certificate: SurveilledCertificate,
	lastSurveillanceEndedOn: IsoDate | null,
	rules: SchemeRules
): { dueOn: IsoDate; from: SurveillanceOrigin; fromOn: IsoDate } {
	const renewedOn = certificate.renewedOn ?? null;
	if (lastSurveillanceEndedOn && (!renewedOn || lastSurveillanceEndedOn > renewedOn))
		return {
			dueOn: addMonths(lastSurveillanceEndedOn, rules.maxSurveillanceGapMonths),
			from: 'last',
			fromOn: lastSurveillanceEndedOn
		};
	const [from, fromOn]: [SurveillanceOrigin, IsoDate] = renewedOn
		? ['renewal', renewedOn]
		: rules.firstSurveillanceFrom === 'issue'
			? ['issue', certificate.issuedOn]
			: ['decision', certificate.decidedOn];
	return { dueOn: addMonths(fromOn, rules.firstSurveillanceMonths), from, fromOn };
}

/** The next surveillance's due date (`surveillanceDue`). */
export function nextSurveillanceDue(
	certificate: SurveilledCertificate,
	lastSurveillanceEndedOn: IsoDate | null,
	rules: SchemeRules
): IsoDate {
	return surveillanceDue(certificate, lastSurveillanceEndedOn, rules).dueOn;
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
