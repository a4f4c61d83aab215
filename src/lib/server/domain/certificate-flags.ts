import type { CertificateStatus } from '../../../../db/schema';

/*
 * The flags the chase raises on a certificate (issue 7 §2): "suspension due" from an overdue
 * major (the scheme's suspend_within_days clock) and "withdrawal proposed" from a suspension
 * older than max_suspension_months. The sweep sets the columns and never clears them; what
 * still stands depends on the status the decisions have moved the certificate to since.
 */

export interface FlagColumns {
	status: CertificateStatus;
	suspensionDueBy: string | null;
	withdrawalProposedOn: string | null;
}

export interface StandingFlags {
	/** Suspend by this date; `late` once it has passed. Only while the certificate is active. */
	suspensionDue: { by: string; late: boolean } | null;
	/** Proposed on this date. Only while the certificate is still suspended. */
	withdrawalProposed: { on: string } | null;
}

export function standingFlags(certificate: FlagColumns, today: string): StandingFlags {
	const { status, suspensionDueBy, withdrawalProposedOn } = certificate;
	return {
		suspensionDue:
			status === 'active' && suspensionDueBy
				? { by: suspensionDueBy, late: suspensionDueBy < today }
				: null,
		withdrawalProposed:
			status === 'suspended' && withdrawalProposedOn ? { on: withdrawalProposedOn } : null
	};
}

export function hasStandingFlag(flags: StandingFlags): boolean {
	return flags.suspensionDue !== null || flags.withdrawalProposed !== null;
}
