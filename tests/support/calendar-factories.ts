import { randomBytes } from 'node:crypto';
import type { EvaluationStatus } from '../../db/schema';
import type { TestDatabase } from './databases';
import { newActor, newOrganisation, newTenant } from './factories';
import { newStandard } from './evaluations-factories';
import type { Actor } from '../../src/lib/server/actor';

/*
 * A body with one of each date the calendar shows, in December 2026, for two organisations and
 * two evaluators. Rows go in directly (the dates are what matter; the services' rules are
 * tested elsewhere).
 */

const unique = () => randomBytes(3).toString('hex');

export interface CalendarWorld {
	tenantId: string;
	admin: Actor;
	/** On the team of evA, evA2 (orgA). */
	e1: Actor;
	/** On the team of evB (orgB) and evA3 (orgA, report not issued). */
	e2: Actor;
	orgAdminA: Actor;
	orgA: string;
	orgB: string;
	ids: {
		cA: string;
		cB: string;
		evA: string;
		evA2: string;
		evA3: string;
		evB: string;
		/** Released (evA2's report is issued), due 2026-12-05. */
		fA1: string;
		/** Not released (evA3 in progress), due 2026-12-09. */
		fA2: string;
		/** Not released (evB in progress), due 2026-12-08. */
		fB1: string;
		/** A closed one due in the month: never shown. */
		fClosed: string;
		/** Pending, due 2026-12-02. */
		itemA: string;
		/** Accepted, due 2026-12-16: never shown. */
		itemDone: string;
	};
}

export async function newCalendarWorld(t: TestDatabase): Promise<CalendarWorld> {
	const tenant = await newTenant(t);
	const tenantId = tenant.id;
	const orgA = (await newOrganisation(t, tenantId, `甲公司 ${unique()}`)).id;
	const orgB = (await newOrganisation(t, tenantId, `乙公司 ${unique()}`)).id;
	const admin = await newActor(t, tenantId, 'admin');
	const e1 = await newActor(t, tenantId, 'evaluator');
	const e2 = await newActor(t, tenantId, 'evaluator');
	const orgAdminA = await newActor(t, tenantId, 'org_admin', orgA);
	const standard = await newStandard(t, tenantId);
	const ids = await t.db.inTenant({ tenantId, userId: null }, async (tx) => {
		const base = { tenant_id: tenantId };
		const certificate = (organisationId: string, issuedOn: string, expiresOn: string) =>
			tx
				.insertInto('certificates')
				.values({
					...base,
					number: `C-${unique()}`,
					organisation_id: organisationId,
					standard_id: standard.id,
					scope: '售后服务',
					issued_on: issuedOn,
					decided_on: issuedOn,
					expires_on: expiresOn
				})
				.returning('id')
				.executeTakeFirstOrThrow()
				.then((row) => row.id);
		// cA: first surveillance 12 months after the decision, 2026-12-20; expires 2026-12-28.
		const cA = await certificate(orgA, '2025-12-20', '2026-12-28');
		// cB: surveillance was due 2025-03-01 (outside the month); expires 2026-12-15.
		const cB = await certificate(orgB, '2024-03-01', '2026-12-15');
		const evaluation = async (
			organisationId: string,
			certificateId: string | null,
			window: [string, string],
			status: EvaluationStatus,
			team: Actor
		) => {
			const row = await tx
				.insertInto('evaluations')
				.values({
					...base,
					kind: certificateId ? 'surveillance' : 'initial',
					certificate_id: certificateId,
					organisation_id: organisationId,
					standard_id: standard.id,
					window_start: window[0],
					window_end: window[1],
					status
				})
				.returning('id')
				.executeTakeFirstOrThrow();
			await tx
				.insertInto('evaluation_team_members')
				.values({ ...base, evaluation_id: row.id, user_id: team.userId, team_role: 'lead' })
				.execute();
			return row.id;
		};
		const evA = await evaluation(orgA, cA, ['2026-12-10', '2026-12-11'], 'planned', e1);
		const evA2 = await evaluation(orgA, null, ['2026-06-01', '2026-06-02'], 'report_issued', e1);
		const evA3 = await evaluation(orgA, null, ['2026-11-01', '2026-11-02'], 'in_progress', e2);
		// Its window overlaps the month's grid (which starts on Monday 30 November).
		const evB = await evaluation(orgB, cB, ['2026-11-29', '2026-11-30'], 'in_progress', e2);
		const finding = (
			evaluationId: string,
			dueOn: string,
			raisedBy: Actor,
			status: 'open' | 'closed' = 'open'
		) =>
			tx
				.insertInto('findings')
				.values({
					...base,
					evaluation_id: evaluationId,
					reference: `2026-S1-NC-${unique()}`,
					kind: 'nonconformity',
					grade: 'minor',
					statement: '灭火器过期未更换',
					raised_by: raisedBy.userId,
					raised_on: '2026-09-06',
					due_on: dueOn,
					status
				})
				.returning('id')
				.executeTakeFirstOrThrow()
				.then((row) => row.id);
		const fA1 = await finding(evA2, '2026-12-05', e1);
		const fA2 = await finding(evA3, '2026-12-09', e2);
		const fB1 = await finding(evB, '2026-12-08', e2);
		const fClosed = await finding(evA2, '2026-12-07', e1, 'closed');
		const obligation = await tx
			.insertInto('recurring_obligations')
			.values({
				...base,
				organisation_id: orgA,
				title_zh: '每月派工单记录',
				title_en: 'Monthly work-order records',
				cadence: 'monthly',
				due_day: 2,
				starts_on: '2026-01-01'
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		const item = (periodStart: string, dueOn: string, status: 'pending' | 'accepted') =>
			tx
				.insertInto('obligation_due_items')
				.values({
					...base,
					obligation_id: obligation.id,
					period_start: periodStart,
					period_end: periodStart,
					due_on: dueOn,
					status
				})
				.returning('id')
				.executeTakeFirstOrThrow()
				.then((row) => row.id);
		const itemA = await item('2026-11-01', '2026-12-02', 'pending');
		const itemDone = await item('2026-11-15', '2026-12-16', 'accepted');
		return { cA, cB, evA, evA2, evA3, evB, fA1, fA2, fB1, fClosed, itemA, itemDone };
	});
	return { tenantId, admin, e1, e2, orgAdminA, orgA, orgB, ids };
}

/** The month grid of December 2026: Monday 30 November to Sunday 10 January. */
export const DECEMBER = { from: '2026-11-30', to: '2027-01-10' };
