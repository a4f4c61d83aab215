import type { IsoDate } from '../calendar';
import { nextSurveillanceDue, type SchemeRules } from '../scheme-rules';
import { daysBefore, latestStage, type DueStage } from './stages';

export const SURVEILLANCE_REMINDER_DAYS = [60, 30];

export interface SurveillanceSubject {
	issuedOn: IsoDate;
	decidedOn: IsoDate;
	/** The latest renewal decision's day: the current cycle's start (null before any). */
	renewedOn: IsoDate | null;
	/** The end of the last surveillance or recertification evaluation whose report is out, if any. */
	lastSurveillanceEndedOn: IsoDate | null;
}

/** The surveillance due date, and the stage due now: 60 and 30 days before, then weekly overdue. */
export function surveillanceStage(
	certificate: SurveillanceSubject,
	rules: SchemeRules,
	today: IsoDate
): { dueOn: IsoDate; stage: DueStage | null } {
	const dueOn = nextSurveillanceDue(certificate, certificate.lastSurveillanceEndedOn, rules);
	return {
		dueOn,
		stage: latestStage(dueOn, today, daysBefore(dueOn, SURVEILLANCE_REMINDER_DAYS), {
			weeklyOverdue: true
		})
	};
}
