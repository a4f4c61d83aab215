import { sql } from 'kysely';
import type { AppDatabase } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import { seesAllOrganisations } from '../domain/roles';
import { todayInZone } from '../domain/calendar';

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
	const today = todayInZone(now, actor.tenant.timeZone);
	const organisationId = seesAllOrganisations(actor.role) ? null : actor.organisationId;
	return db.inTenant(scopeOf(actor), async (tx): Promise<DashboardSummary> => {
		const organisations = tx
			.selectFrom('organisations')
			.select((eb) => eb.fn.countAll<string>().as('n'))
			.$if(!!organisationId, (q) => q.where('id', '=', organisationId!))
			.executeTakeFirstOrThrow();
		const certificates = tx
			.selectFrom('certificates')
			.select([
				sql<string>`count(*) filter (where status = 'active')`.as('active'),
				sql<string>`count(*) filter (where status = 'suspended')`.as('suspended')
			])
			.$if(!!organisationId, (q) => q.where('organisation_id', '=', organisationId!))
			.executeTakeFirstOrThrow();
		const findings = tx
			.selectFrom('findings')
			.innerJoin('evaluations', (join) =>
				join
					.onRef('evaluations.tenant_id', '=', 'findings.tenant_id')
					.onRef('evaluations.id', '=', 'findings.evaluation_id')
			)
			.select([
				sql<string>`count(*) filter (where findings.status <> 'closed')`.as('open'),
				sql<string>`count(*) filter (where findings.status <> 'closed' and findings.due_on < ${today})`.as(
					'overdue'
				),
				sql<string>`count(*) filter (where findings.status <> 'closed' and findings.grade = 'major')`.as(
					'majors'
				)
			])
			.where('findings.kind', '=', 'nonconformity')
			.$if(!!organisationId, (q) => q.where('evaluations.organisation_id', '=', organisationId!))
			.executeTakeFirstOrThrow();
		const [o, c, f] = await Promise.all([organisations, certificates, findings]);
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
