import { addDays, type IsoDate } from '../calendar';
import { suspensionLimit, type SchemeRules } from '../scheme-rules';
import { latestStage, monthsBefore, onceFrom, type DueStage } from './stages';

/** Expiry reminders, months before the last valid day. */
export const EXPIRY_REMINDER_MONTHS = [6, 3, 1];

/**
 * A certificate is valid through `expiresOn`; on the next day its status becomes `expired`.
 * Before that, the latest of the 6/3/1-month reminders due.
 */
export function expiryStages(
	certificate: { expiresOn: IsoDate },
	today: IsoDate
): { reminder: DueStage | null; expire: DueStage | null } {
	const { expiresOn } = certificate;
	const expire = onceFrom('expired', expiresOn, addDays(expiresOn, 1), today);
	return {
		reminder: expire
			? null
			: latestStage(expiresOn, today, monthsBefore(expiresOn, EXPIRY_REMINDER_MONTHS)),
		expire
	};
}

/** A suspension older than `maxSuspensionMonths`: propose withdrawal (once per suspension). */
export function withdrawalProposalStage(
	suspendedOn: IsoDate,
	rules: SchemeRules,
	today: IsoDate
): DueStage | null {
	const limit = suspensionLimit(suspendedOn, rules);
	return onceFrom('withdrawal_proposal', limit, limit, today);
}
