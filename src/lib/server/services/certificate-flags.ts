import type { AppDatabase } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import { todayInZone } from '../domain/calendar';
import { hasStandingFlag, standingFlags, type StandingFlags } from '../domain/certificate-flags';
import * as repo from '../repositories/certificate-flags';
import { findCertificate } from '../repositories/certificates';
import { findSchemeRules } from '../repositories/scheme-rules';
import { authorize } from './authorize';
import { loadVisibleCertificate } from './certificates';

/*
 * The chase's certificate flags as the body's admins and decision makers read them (issue 7 §2):
 * which certificates should be suspended by when, or are proposed for withdrawal, and why —
 * the findings that made the suspension due, the suspension the proposal counts from.
 */

export interface SuspensionCause {
	id: string;
	reference: string;
	/** The evaluation that raised it: its kind and the day its window opened. */
	evaluationKind: string;
	evaluationDate: string;
	dueOn: string | null;
	closed: boolean;
}

export interface FlaggedCertificate {
	id: string;
	number: string;
	organisationName: string;
	flags: StandingFlags;
	causes: SuspensionCause[];
}

function causesByCertificate(rows: Awaited<ReturnType<typeof repo.suspensionCauses>>) {
	const map = new Map<string, SuspensionCause[]>();
	for (const row of rows) {
		if (!row.certificate_id) continue;
		const list = map.get(row.certificate_id) ?? [];
		if (!list.some((cause) => cause.id === row.id))
			list.push({
				id: row.id,
				reference: row.reference,
				evaluationKind: row.evaluation_kind,
				evaluationDate: row.evaluation_window_start,
				dueOn: row.due_on,
				closed: row.status === 'closed'
			});
		map.set(row.certificate_id, list);
	}
	return map;
}

/** The dashboard's list: every certificate with a standing flag, the most urgent first. */
export function listFlaggedCertificates(
	db: AppDatabase,
	actor: Actor,
	now = new Date(),
	limit = 20
): Promise<FlaggedCertificate[]> {
	authorize(actor, 'certificate.flags');
	const today = todayInZone(now, actor.tenant.timeZone);
	return db.inTenant(scopeOf(actor), async (tx) => {
		const rows = await repo.flaggedCertificates(tx, limit);
		const causes = causesByCertificate(
			await repo.suspensionCauses(
				tx,
				rows.map((row) => row.id)
			)
		);
		return rows
			.map((row) => ({
				id: row.id,
				number: row.number,
				organisationName: row.organisation_name,
				flags: standingFlags(
					{
						status: row.status,
						suspensionDueBy: row.suspension_due_by,
						withdrawalProposedOn: row.withdrawal_proposed_on
					},
					today
				),
				causes: causes.get(row.id) ?? []
			}))
			.filter((row) => hasStandingFlag(row.flags));
	});
}

export interface CertificateFlags {
	flags: StandingFlags;
	causes: SuspensionCause[];
	suspendWithinDays: number;
	maxSuspensionMonths: number;
	suspendedSince: string | null;
}

/**
 * One certificate's standing flags with why: for the certificate and decide pages. Null when
 * nothing stands (or the actor is not one the flags are for).
 */
export function getCertificateFlags(
	db: AppDatabase,
	actor: Actor,
	certificateId: string,
	now = new Date()
): Promise<CertificateFlags | null> {
	authorize(actor, 'certificate.flags');
	const today = todayInZone(now, actor.tenant.timeZone);
	return db.inTenant(scopeOf(actor), async (tx) => {
		await loadVisibleCertificate(tx, actor, certificateId);
		const certificate = await findCertificate(tx, certificateId);
		if (!certificate) return null;
		const flags = standingFlags(
			{
				status: certificate.status,
				suspensionDueBy: certificate.suspension_due_by,
				withdrawalProposedOn: certificate.withdrawal_proposed_on
			},
			today
		);
		if (!hasStandingFlag(flags)) return null;
		const rules = await findSchemeRules(tx, certificate.standard_id);
		return {
			flags,
			causes: flags.suspensionDue
				? (causesByCertificate(await repo.suspensionCauses(tx, [certificateId])).get(
						certificateId
					) ?? [])
				: [],
			suspendWithinDays: rules.suspendWithinDays,
			maxSuspensionMonths: rules.maxSuspensionMonths,
			suspendedSince: flags.withdrawalProposed ? await repo.suspendedSince(tx, certificateId) : null
		};
	});
}
