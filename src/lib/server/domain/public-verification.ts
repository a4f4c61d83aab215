import type { CertificateHistoryChange, CertificateStatus } from '../../../../db/schema';
import type { IsoDate } from './calendar';

/*
 * What the public verification page says of a certificate on a given day (ISO/IEC 17021-1 8.1.3:
 * anyone may ask whether a certificate is valid). Replayed from the certificate's history, so a
 * past day shows the status, grade and scope of that day. Pure: no clock, no database.
 */

export interface HistoryStep {
	/** 'imported' and 'transferred' say how it came in; they change nothing of its state. */
	change: CertificateHistoryChange;
	to_status: CertificateStatus | null;
	to_grade_level_id: string | null;
	to_scope: string | null;
	effective_on: IsoDate;
	/** Orders steps of one day: the one recorded later wins. */
	recorded_at: Date | string;
}

export interface CertificateNow {
	status: CertificateStatus;
	grade_level_id: string | null;
	scope: string;
	issued_on: IsoDate;
	expires_on: IsoDate;
}

export type StateOn =
	| { kind: 'not_issued'; on: IsoDate }
	| {
			kind: 'state';
			on: IsoDate;
			status: CertificateStatus;
			gradeLevelId: string | null;
			scope: string;
	  };

const order = (a: HistoryStep, b: HistoryStep) =>
	a.effective_on < b.effective_on
		? -1
		: a.effective_on > b.effective_on
			? 1
			: new Date(a.recorded_at).getTime() - new Date(b.recorded_at).getTime();

/**
 * The certificate as it stood at the end of `on`. A valid certificate past its expiry date counts
 * as expired even before the nightly sweep marks it (the date decides, not the sweep); a withdrawn
 * one stays withdrawn.
 */
export function certificateOn(
	certificate: CertificateNow,
	history: readonly HistoryStep[],
	on: IsoDate
): StateOn {
	if (on < certificate.issued_on) return { kind: 'not_issued', on };
	const steps = [...history].sort(order);
	const hasIssue = steps.some((step) => step.change === 'issued');
	// Without an 'issued' line (rows older than the history), today's values are the start.
	let status: CertificateStatus = hasIssue ? 'active' : certificate.status;
	let gradeLevelId = hasIssue ? null : certificate.grade_level_id;
	let scope = hasIssue ? '' : certificate.scope;
	for (const step of steps) {
		if (step.effective_on > on) break;
		if (step.to_status) status = step.to_status;
		if (step.change === 'issued' || step.change === 'grade') gradeLevelId = step.to_grade_level_id;
		if ((step.change === 'issued' || step.change === 'scope') && step.to_scope !== null)
			scope = step.to_scope;
	}
	if (on > certificate.expires_on && (status === 'active' || status === 'suspended'))
		status = 'expired';
	return { kind: 'state', on, status, gradeLevelId, scope };
}
