import type { AppDatabase } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import { lifecycleSide, mayEver } from '../domain/permissions';
import { todayInZone } from '../domain/calendar';
import * as repo from '../repositories/dashboard';
import { authorize } from './authorize';
import { REPORT_ISSUED } from './finding-access';

export interface DashboardSummary {
	organisations: number;
	activeCertificates: number;
	suspendedCertificates: number;
	openFindings: number;
	overdueFindings: number;
	openMajors: number;
	today: string;
}

/** The counts on the dashboard, limited to the actor's organisation for organisation users. */
export function dashboardSummary(db: AppDatabase, actor: Actor, now = new Date()) {
	authorize(actor, 'dashboard.read');
	const today = todayInZone(now, actor.tenant.timeZone);
	const organisationId = mayEver(actor, 'dashboard.allOrganisations') ? null : actor.organisationId;
	// The counts follow the finding pages' rule: an organisation counts only what it may open.
	const visibleStatuses = lifecycleSide(actor.role) === 'organisation' ? REPORT_ISSUED : null;
	return db.inTenant(scopeOf(actor), async (tx): Promise<DashboardSummary> => {
		const [o, c, f] = await Promise.all([
			repo.countOrganisations(tx, organisationId),
			repo.countCertificatesByStatus(tx, organisationId),
			repo.countOpenNonconformities(tx, organisationId, today, visibleStatuses)
		]);
		return {
			organisations: Number(o.n),
			activeCertificates: Number(c.active),
			suspendedCertificates: Number(c.suspended),
			openFindings: Number(f.open),
			overdueFindings: Number(f.overdue),
			openMajors: Number(f.majors),
			today
		};
	});
}
