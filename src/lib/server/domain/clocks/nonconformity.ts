import type { NonconformityGrade } from '../../../../../db/schema';
import { addDays, type IsoDate } from '../calendar';
import type { SchemeRules } from '../scheme-rules';
import { daysBefore, latestStage, onceFrom, type DueStage } from './stages';

/** Reminders to the organisation: 14, 7 and 1 days before, on the day, then weekly while overdue. */
export const NONCONFORMITY_REMINDER_DAYS = [14, 7, 1, 0];
/** Days overdue at which the evaluation's lead evaluator hears of it (once). */
export const ESCALATION_AFTER_DAYS = 7;

export interface OpenNonconformity {
	dueOn: IsoDate;
	grade: NonconformityGrade;
}

export interface NonconformityStages {
	/** The reminder to the organisation due now. */
	reminder: DueStage | null;
	/** Seven days overdue: tell the lead evaluator. */
	escalation: DueStage | null;
	/** An overdue major: the certificate is due for suspension within `suspendWithinDays`. */
	suspensionDue: (DueStage & { suspendBy: IsoDate }) | null;
	/** An overdue minor under `overdueMinorBecomesMajor`: it becomes a major. */
	regrade: DueStage | null;
}

/** What the clock of an open nonconformity asks for on `today` (the tenant's calendar day). */
export function nonconformityStages(
	finding: OpenNonconformity,
	rules: SchemeRules,
	today: IsoDate
): NonconformityStages {
	const { dueOn, grade } = finding;
	const firstLateDay = addDays(dueOn, 1);
	const suspension =
		grade === 'major' ? onceFrom('suspension_due', dueOn, firstLateDay, today) : null;
	return {
		reminder: latestStage(dueOn, today, daysBefore(dueOn, NONCONFORMITY_REMINDER_DAYS), {
			weeklyOverdue: true
		}),
		escalation: onceFrom('escalation', dueOn, addDays(dueOn, ESCALATION_AFTER_DAYS), today),
		suspensionDue: suspension
			? { ...suspension, suspendBy: addDays(suspension.on, rules.suspendWithinDays) }
			: null,
		regrade:
			grade === 'minor' && rules.overdueMinorBecomesMajor
				? onceFrom('regrade_major', dueOn, firstLateDay, today)
				: null
	};
}
