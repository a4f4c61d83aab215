import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { callerFor, newActor, testApp } from '../support/factories';
import {
	auditOf,
	json,
	newCertificate,
	newEvaluation,
	newFinding,
	newWorkflowWorld,
	type WorkflowWorld
} from '../support/workflow-factories';
import { refusalOf } from '../support/refusals';
import { sweepTenant } from '../../jobs/chase-tenant/sweep';
import { addDays, addMonths, todayInZone } from '../../src/lib/server/domain/calendar';
import { takeDecisionSchema } from '../../src/lib/server/services/decisions.schema';
import { getCertificate } from '../../src/lib/server/services/certificates';
import { DEFAULT_SCHEME_RULES, renewedExpiry } from '../../src/lib/server/domain/scheme-rules';
import { translate } from '../../src/lib/server/i18n/translate';
import type { Actor } from '../../src/lib/server/actor';
import type { App } from '../../src/lib/server/app';

/*
 * Issue 12 items 3 and 4 against PostgreSQL and PGlite: a recertification's renewal (new validity
 * from the scheme rules, history `renewed`, audit, the organisation told) and what refuses it
 * (the team, a report not issued, another kind of evaluation, open nonconformities, a second
 * renewal, a passed expiry, another tenant); expiry by the chase sweep (once, per tenant, in the
 * tenant's zone); extending and reducing the structured scope, with history from/to.
 */

describe.each(DIALECTS)('renewal, expiry and scope (%s)', (dialect) => {
	let t: TestDatabase;
	let app: App;
	let world: WorkflowWorld;
	let other: WorkflowWorld;
	let today: string;

	const certificate = (id: string) =>
		t.owner.selectFrom('certificates').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
	const history = (certificateId: string) =>
		t.owner
			.selectFrom('certificate_history')
			.selectAll()
			.where('certificate_id', '=', certificateId)
			.orderBy('recorded_at')
			.orderBy('change')
			.execute();
	const outboxOf = (certificateId: string, template: string) =>
		t.owner
			.selectFrom('outbox')
			.select(['to_email', 'template', 'dedupe_key'])
			.where('template', '=', template)
			.where('link', 'like', `%/certificates/${certificateId}`)
			.execute();
	async function footprint(certificateId: string) {
		const row = await certificate(certificateId);
		return {
			row: { ...row, updated_at: null },
			history: (await history(certificateId)).length,
			audit: (await auditOf(t, certificateId)).length,
			decisions: (
				await t.owner
					.selectFrom('decisions')
					.select('id')
					.where('certificate_id', '=', certificateId)
					.execute()
			).length
		};
	}
	/** `hour`:00 UTC on `day`: 8 hours later in Shanghai. */
	const utc = (day: string, hour: number) =>
		new Date(`${day}T${String(hour).padStart(2, '0')}:00:00Z`);
	const decide = (
		actor: Actor,
		input: Parameters<ReturnType<typeof callerFor>['decisions']['take']>[0]
	) => callerFor(app, actor).decisions.take(input);

	/** The decision maker's renewal of `c`'s certificate after its recertification. */
	const renew = (
		c: { certificateId: string; evaluationId: string },
		reason = 'Recertified.',
		{ by = world.decider, version = 1 }: { by?: Actor; version?: number } = {}
	) =>
		decide(by, {
			certificateId: c.certificateId,
			version,
			evaluationId: c.evaluationId,
			kind: 'renew',
			reason
		});
	/** `call`'s refusal, the certificate, its history, audit and decisions left as they were. */
	async function refusedChangingNothing(certificateId: string, call: () => Promise<unknown>) {
		const before = await footprint(certificateId);
		const refusal = await refusalOf(call());
		expect(await footprint(certificateId)).toEqual(before);
		return refusal;
	}
	/** A scope decision on the certificate, after an evaluation of its own. */
	const changeScope = async (
		certificateId: string,
		version: number,
		change: Omit<Parameters<typeof decide>[1], 'certificateId' | 'version' | 'evaluationId'>
	) =>
		decide(world.decider, {
			certificateId,
			version,
			evaluationId: await newEvaluation(t, { ...world, certificateId }),
			...change
		});
	const setExpiry = (certificateId: string, expiresOn: string) =>
		t.owner
			.updateTable('certificates')
			.set({ expires_on: expiresOn })
			.where('id', '=', certificateId)
			.execute();

	/** A certificate of its own with a recertification evaluation (report issued by default). */
	async function recertification(
		options: Parameters<typeof newEvaluation>[2] = {},
		expiresOn = '2029-01-09'
	) {
		const certificateId = await newCertificate(t, world);
		await setExpiry(certificateId, expiresOn);
		const evaluationId = await newEvaluation(
			t,
			{ ...world, certificateId },
			{ kind: 'recertification', ...options }
		);
		return { certificateId, evaluationId, scope: { ...world, certificateId, evaluationId } };
	}

	beforeAll(async () => {
		t = await createTestDatabase(dialect);
		app = testApp(t);
		world = await newWorkflowWorld(t);
		other = await newWorkflowWorld(t);
		today = todayInZone(new Date(), world.decider.tenant.timeZone);
		await t.db.inTenant({ tenantId: world.tenantId, userId: null }, (tx) =>
			tx
				.insertInto('contacts')
				.values({
					tenant_id: world.tenantId,
					organisation_id: world.organisationId,
					name: '王经理',
					email: 'wang@org.test',
					locale: 'zh-CN',
					receives_reminders: true
				})
				.execute()
		);
	});
	afterAll(() => t?.drop());

	describe('renewal', () => {
		it('renews after an issued recertification report: new expiry, history, audit, email', async () => {
			const c = await recertification();
			const result = await renew(c, '再认证评价结论：符合要求');
			expect(result.status).toBe('active');
			const row = await certificate(c.certificateId);
			expect(row.expires_on).toBe('2032-01-09');
			expect(row.decided_on).toBe(today);
			expect(row.issued_on).toBe('2026-01-10');
			expect(row.version).toBe(2);

			const rows = await history(c.certificateId);
			expect(rows).toHaveLength(1);
			expect(rows[0]).toMatchObject({
				change: 'renewed',
				from_expires_on: '2029-01-09',
				to_expires_on: '2032-01-09',
				decision_id: result.decisionId,
				effective_on: today,
				recorded_by: world.decider.userId
			});
			const decision = await t.owner
				.selectFrom('decisions')
				.selectAll()
				.where('id', '=', result.decisionId)
				.executeTakeFirstOrThrow();
			expect(decision).toMatchObject({
				kind: 'renew',
				evaluation_id: c.evaluationId,
				new_expires_on: '2032-01-09'
			});

			const audit = await auditOf(t, c.certificateId);
			expect(audit.map((entry) => entry.action)).toEqual(['decision.renew']);
			expect(json(audit[0]!.before)).toMatchObject({ expires_on: '2029-01-09' });
			expect(json(audit[0]!.after)).toMatchObject({
				expires_on: '2032-01-09',
				decided_on: today,
				evaluationId: c.evaluationId
			});
			// The decision closes the recertification, as any decision closes its evaluation.
			const evaluation = await t.owner
				.selectFrom('evaluations')
				.select('status')
				.where('id', '=', c.evaluationId)
				.executeTakeFirstOrThrow();
			expect(evaluation.status).toBe('closed');
			// The organisation's administrator and its reminder contact are told.
			const told = await outboxOf(c.certificateId, 'certificate.decision_taken');
			expect(told.map((m) => m.to_email).sort()).toEqual(
				['wang@org.test', world.orgUser.email].sort()
			);

			// The page shows the renewal in the history with the expiry from and to.
			const page = await getCertificate(t.db, world.admin, c.certificateId);
			expect(page.history[0]).toMatchObject({
				change: 'renewed',
				from_expires_on: '2029-01-09',
				to_expires_on: '2032-01-09',
				decision_kind: 'renew'
			});
		});

		it('counts month ends and the leap day by the scheme rules', async () => {
			// 28 February 2029 is the last day of its month: the renewal ends on 29 February 2032.
			const c = await recertification({}, '2029-02-28');
			await renew(c);
			expect((await certificate(c.certificateId)).expires_on).toBe('2032-02-29');
			// Another scheme's validity: 24 months.
			await t.owner
				.insertInto('scheme_rules')
				.values({
					tenant_id: world.tenantId,
					standard_id: world.standardId,
					certificate_validity_months: 24
				})
				.onConflict((oc) =>
					oc.columns(['tenant_id', 'standard_id']).doUpdateSet({ certificate_validity_months: 24 })
				)
				.execute();
			try {
				const d = await recertification({}, '2028-02-29');
				await renew(d);
				expect((await certificate(d.certificateId)).expires_on).toBe('2030-02-28');
			} finally {
				await t.owner
					.updateTable('scheme_rules')
					.set({ certificate_validity_months: 36 })
					.where('standard_id', '=', world.standardId)
					.execute();
			}
		});

		it('refuses a decision maker who was on the recertification team, changing nothing', async () => {
			const c = await recertification({
				team: [
					{ userId: world.evaluator.userId, role: 'lead' },
					{ userId: world.decider.userId, role: 'member' }
				]
			});
			expect(await refusedChangingNothing(c.certificateId, () => renew(c))).toMatchObject({
				code: 'FORBIDDEN',
				key: 'findings_decision_refused_team_member'
			});
			// Another decision maker, not on the team, may.
			const impartial = await newActor(t, world.tenantId, 'decision_maker');
			await renew(c, 'Recertified.', { by: impartial });
			expect((await certificate(c.certificateId)).expires_on).toBe('2032-01-09');
		});

		it('refuses before the recertification report is issued', async () => {
			for (const status of ['planned', 'in_progress'] as const) {
				const c = await recertification({ status });
				expect(await refusedChangingNothing(c.certificateId, () => renew(c))).toMatchObject({
					code: 'BAD_REQUEST',
					key: 'findings_decision_evaluation_invalid',
					field: 'evaluationId'
				});
			}
		});

		it('refuses without an evaluation or after a surveillance evaluation', async () => {
			const certificateId = await newCertificate(t, world);
			const surveillance = await newEvaluation(t, { ...world, certificateId });
			expect(
				await refusedChangingNothing(certificateId, () =>
					decide(world.decider, { certificateId, version: 1, kind: 'renew', reason: 'x' })
				)
			).toMatchObject({ code: 'BAD_REQUEST', key: 'findings_decision_evaluation_required' });
			expect(
				await refusedChangingNothing(certificateId, () =>
					renew({ certificateId, evaluationId: surveillance }, 'x')
				)
			).toMatchObject({
				code: 'BAD_REQUEST',
				key: 'renewal_recertification_required',
				field: 'evaluationId'
			});
		});

		it('is blocked by open nonconformities of the recertification, like maintain', async () => {
			const c = await recertification();
			const major = await newFinding(t, c.scope, { status: 'evidence_submitted', grade: 'major' });
			expect(await refusedChangingNothing(c.certificateId, () => renew(c, 'x'))).toMatchObject({
				code: 'CONFLICT',
				key: 'findings_decision_refused_major_open'
			});
			await t.owner
				.updateTable('findings')
				.set({ status: 'closed' })
				.where('id', '=', major.id)
				.execute();
			await renew(c, 'Closed and recertified.');
			expect((await certificate(c.certificateId)).expires_on).toBe('2032-01-09');
		});

		it('renews once per recertification, even from the closed evaluation', async () => {
			const c = await recertification();
			await renew(c);
			expect(
				await refusedChangingNothing(c.certificateId, () => renew(c, 'Again.', { version: 2 }))
			).toMatchObject({ code: 'CONFLICT', key: 'renewal_already_renewed' });
			const options = await callerFor(app, world.decider).decisions.options({
				certificateId: c.certificateId
			});
			expect(options.evaluations.find((e) => e.id === c.evaluationId)?.renewed).toBe(true);
		});

		it('refuses on a suspended certificate', async () => {
			const s = await recertification();
			await t.owner
				.updateTable('certificates')
				.set({ status: 'suspended' })
				.where('id', '=', s.certificateId)
				.execute();
			expect(await refusalOf(renew(s, 'x'))).toMatchObject({
				code: 'CONFLICT',
				key: 'findings_decision_refused_status_renew'
			});
		});

		it("finds nothing of another tenant's certificate", async () => {
			const c = await recertification();
			expect(
				await refusedChangingNothing(c.certificateId, () => renew(c, 'x', { by: other.decider }))
			).toMatchObject({ code: 'NOT_FOUND' });
			expect(
				await refusalOf(
					callerFor(app, other.decider).decisions.options({ certificateId: c.certificateId })
				)
			).toMatchObject({ code: 'NOT_FOUND' });
		});
	});

	describe('restoration after expiry (ISO/IEC 17021-1 9.6.3.2.5)', () => {
		const renewIt = (c: { certificateId: string; evaluationId: string }, version: number) =>
			decide(world.decider, {
				certificateId: c.certificateId,
				version,
				evaluationId: c.evaluationId,
				kind: 'renew',
				reason: '再认证活动已完成，恢复认证'
			});

		it('restores a certificate expired less than 6 months ago: new cycle, prior expiry, lapse recorded', async () => {
			const expiredOn = addDays(today, -40);
			const c = await recertification({}, expiredOn);
			// The sweep marks it expired on the day after its last valid day.
			await sweepTenant(t.db, world.tenantId, new Date());
			expect((await certificate(c.certificateId)).status).toBe('expired');

			// The expired certificate's page and the decision page offer the restoration.
			const page = await getCertificate(t.db, world.admin, c.certificateId);
			expect(page.restoration).toEqual({
				expiredOn,
				restoreBy: addMonths(expiredOn, 6),
				open: true,
				months: 6
			});
			const options = await callerFor(app, world.decider).decisions.options({
				certificateId: c.certificateId
			});
			expect(options.kinds).toEqual(['renew']);
			expect(options.renewal).toMatchObject({
				expiresOn: renewedExpiry(expiredOn, DEFAULT_SCHEME_RULES),
				restoration: {
					expiredOn,
					open: true,
					lapse: { from: addDays(expiredOn, 1), restoredOn: today, days: 40 }
				}
			});

			const result = await renewIt(c, 2);
			expect(result.status).toBe('active');
			const row = await certificate(c.certificateId);
			// The validity is based on the prior cycle; the new cycle counts from this decision.
			expect(row).toMatchObject({
				status: 'active',
				expires_on: renewedExpiry(expiredOn, DEFAULT_SCHEME_RULES),
				decided_on: today,
				issued_on: '2026-01-10'
			});
			const rows = await history(c.certificateId);
			// The sweep ran late on purpose (today): its line is still dated the day after expiry.
			expect(rows.map((r) => [r.change, r.from_status, r.to_status, r.effective_on])).toEqual([
				['expired', 'active', 'expired', addDays(expiredOn, 1)],
				['renewed', null, null, today],
				['status', 'expired', 'active', today]
			]);
			expect(rows.find((r) => r.change === 'renewed')).toMatchObject({
				decision_id: result.decisionId,
				from_expires_on: expiredOn,
				to_expires_on: row.expires_on
			});
			const audit = await auditOf(t, c.certificateId);
			expect(audit.map((entry) => entry.action)).toEqual(['certificate.expire', 'decision.renew']);
			expect(json(audit[1]!.before)).toMatchObject({ status: 'expired', expires_on: expiredOn });
			expect(json(audit[1]!.after)).toMatchObject({
				status: 'active',
				expires_on: row.expires_on,
				decided_on: today,
				restored: true,
				lapsed_from: addDays(expiredOn, 1),
				lapse_days: 40
			});
			// The history panels name the audit entry's new fields in both languages.
			for (const field of ['restored', 'lapsed_from', 'lapse_days'])
				for (const locale of ['en', 'zh-CN'] as const)
					expect(translate(`timeline_field_${field}`, locale)).not.toBe(`timeline_field_${field}`);

			// The page shows the lapse on the renewal's history line, and the new cycle's clock.
			const after = await getCertificate(t.db, world.admin, c.certificateId);
			expect(after.restoration).toBeNull();
			expect(after.history.find((h) => h.change === 'renewed')?.lapse).toEqual({
				from: addDays(expiredOn, 1),
				restoredOn: today,
				days: 40
			});
			expect(after.surveillance).toMatchObject({
				countedFrom: 'renewal',
				countedFromOn: today,
				nextDue: addMonths(today, 12)
			});
			// The sweep leaves the restored certificate active.
			await sweepTenant(t.db, world.tenantId, new Date());
			expect((await certificate(c.certificateId)).status).toBe('active');
		});

		it('restores one past its expiry the sweep has not marked yet, writing the expiry first', async () => {
			const expiredOn = addDays(today, -3);
			const c = await recertification({}, expiredOn);
			expect((await certificate(c.certificateId)).status).toBe('active');
			await renewIt(c, 1);
			const rows = await history(c.certificateId);
			expect(
				rows.map((r) => [r.change, r.from_status, r.to_status, r.effective_on, r.recorded_by])
			).toEqual([
				['expired', 'active', 'expired', addDays(expiredOn, 1), null],
				['renewed', null, null, today, world.decider.userId],
				['status', 'expired', 'active', today, world.decider.userId]
			]);
			expect((await certificate(c.certificateId)).expires_on).toBe(
				renewedExpiry(expiredOn, DEFAULT_SCHEME_RULES)
			);
		});

		it('refuses more than 6 months after the expiry: a new initial certification, nothing changed', async () => {
			const expiredOn = addDays(addMonths(today, -6), -1);
			const c = await recertification({}, expiredOn);
			await sweepTenant(t.db, world.tenantId, new Date());
			expect((await certificate(c.certificateId)).status).toBe('expired');
			const before = await footprint(c.certificateId);
			const refused = await refusalOf(renewIt(c, 2));
			expect(refused).toMatchObject({ code: 'CONFLICT', key: 'renewal_restoration_period_passed' });
			expect(await footprint(c.certificateId)).toEqual(before);
			// In both languages, naming the expiry and the way on.
			const params = { date: expiredOn, months: 6 };
			expect(translate('renewal_restoration_period_passed', 'en', params)).toBe(
				`The certificate expired on ${expiredOn}, more than 6 months ago: a recertification can no longer restore it. A new initial certification is needed.`
			);
			expect(translate('renewal_restoration_period_passed', 'zh-CN', params)).toContain(
				'需要重新进行初次认证'
			);
			// Neither page offers it any more; the certificate page says why.
			const options = await callerFor(app, world.decider).decisions.options({
				certificateId: c.certificateId
			});
			expect(options.kinds).toEqual([]);
			expect(options.renewal.restoration).toMatchObject({ open: false });
			expect((await getCertificate(t.db, world.admin, c.certificateId)).restoration).toEqual({
				expiredOn,
				restoreBy: addMonths(expiredOn, 6),
				open: false,
				months: 6
			});
		});

		it('refuses a restoration after a surveillance evaluation, or by the recertification team', async () => {
			const expiredOn = addDays(today, -10);
			const c = await recertification(
				{
					team: [
						{ userId: world.evaluator.userId, role: 'lead' },
						{ userId: world.decider.userId, role: 'member' }
					]
				},
				expiredOn
			);
			const before = await footprint(c.certificateId);
			expect(await refusalOf(renewIt(c, 1))).toMatchObject({
				code: 'FORBIDDEN',
				key: 'findings_decision_refused_team_member'
			});
			const surveillance = await newEvaluation(t, c.scope);
			expect(
				await refusalOf(renewIt({ certificateId: c.certificateId, evaluationId: surveillance }, 1))
			).toMatchObject({ code: 'BAD_REQUEST', key: 'renewal_recertification_required' });
			expect((await footprint(c.certificateId)).history).toBe(before.history);
		});
	});

	describe('surveillance after a renewal counts from the new cycle', () => {
		const surveillanceReminders = (certificateId: string) =>
			t.owner
				.selectFrom('reminders')
				.select(['stage', 'due_on'])
				.where('subject_kind', '=', 'surveillance')
				.where('subject_id', '=', certificateId)
				.orderBy('fired_at')
				.execute();

		it('shows the new cycle’s first surveillance on the page and chases it, not the old one', async () => {
			// Two certificates alike: a closed surveillance a month ago and a recertification's
			// report out; one is renewed today.
			const lastEnded = addDays(today, -30);
			const make = async () => {
				const c = await recertification({ windowEnd: addDays(today, -5) });
				await newEvaluation(t, c.scope, { status: 'closed', windowEnd: lastEnded });
				return c;
			};
			const kept = await make();
			const renewed = await make();
			const before = await getCertificate(t.db, world.admin, renewed.certificateId);
			// Before the renewal: the recertification's end restarts the page's clock.
			expect(before.surveillance).toMatchObject({
				countedFrom: 'last',
				nextDue: addMonths(addDays(today, -5), 12)
			});
			await decide(world.decider, {
				certificateId: renewed.certificateId,
				version: 1,
				evaluationId: renewed.evaluationId,
				kind: 'renew',
				reason: 'Recertified.'
			});
			const page = await getCertificate(t.db, world.admin, renewed.certificateId);
			expect(page.surveillance).toEqual({
				lastEndedOn: null,
				countedFrom: 'renewal',
				countedFromOn: today,
				nextDue: addMonths(today, 12),
				overdue: false
			});
			// The evaluation page's "next surveillance" agrees.
			const evaluationPage = await callerFor(app, world.admin).evaluations.get({
				id: renewed.evaluationId
			});
			expect(evaluationPage.nextSurveillance).toBe(addMonths(today, 12));

			// The chase: at the old cycle's 60-day stage only the certificate not renewed is chased,
			// for the date its page shows (the recertification's report restarted the clock).
			const oldDue = addMonths(addDays(today, -5), 12);
			expect(
				(await getCertificate(t.db, world.admin, kept.certificateId)).surveillance.nextDue
			).toBe(oldDue);
			const newDue = addMonths(today, 12);
			await sweepTenant(t.db, world.tenantId, utc(addDays(oldDue, -59), 4));
			expect(await surveillanceReminders(kept.certificateId)).toEqual([
				{ stage: 'before_60d', due_on: oldDue }
			]);
			expect(await surveillanceReminders(renewed.certificateId)).toEqual([]);
			// Through the old due date and past it: the kept one is chased to overdue; the renewed one
			// only ever of its new cycle's due date.
			for (const day of [addDays(oldDue, -29), addDays(oldDue, 7)])
				await sweepTenant(t.db, world.tenantId, utc(day, 4));
			expect(await surveillanceReminders(kept.certificateId)).toEqual([
				{ stage: 'before_60d', due_on: oldDue },
				{ stage: 'before_30d', due_on: oldDue },
				{ stage: 'overdue_7d', due_on: oldDue }
			]);
			await sweepTenant(t.db, world.tenantId, utc(addDays(newDue, 7), 4));
			expect(await surveillanceReminders(renewed.certificateId)).toEqual([
				{ stage: 'before_60d', due_on: newDue },
				{ stage: 'before_30d', due_on: newDue },
				{ stage: 'overdue_7d', due_on: newDue }
			]);
		});
	});

	describe('expiry by the chase sweep', () => {
		it('expires on the day after the expiry in the tenant’s zone, once, with history, audit and email', async () => {
			const certificateId = await newCertificate(t, world);
			await setExpiry(certificateId, '2027-03-31');
			// 15:00 UTC on 31 March is 23:00 in Shanghai: still the last valid day.
			await sweepTenant(t.db, world.tenantId, utc('2027-03-31', 15));
			expect((await certificate(certificateId)).status).toBe('active');
			// 16:00 UTC on 31 March is midnight of 1 April in Shanghai: expired.
			await sweepTenant(t.db, world.tenantId, utc('2027-03-31', 16));
			const expired = await footprint(certificateId);
			expect(expired.row.status).toBe('expired');
			expect(expired.row.version).toBe(2);
			const rows = await history(certificateId);
			expect(rows).toHaveLength(1);
			expect(rows[0]).toMatchObject({
				change: 'expired',
				from_status: 'active',
				to_status: 'expired',
				effective_on: '2027-04-01',
				recorded_by: null,
				decision_id: null
			});
			const audit = await auditOf(t, certificateId);
			expect(audit.map((entry) => [entry.action, entry.actor_user_id])).toEqual([
				['certificate.expire', null]
			]);
			const told = await outboxOf(certificateId, 'certificate.expired');
			expect(told.map((m) => m.to_email)).toEqual(
				expect.arrayContaining(['wang@org.test', world.orgUser.email])
			);

			// Again the same day, and the next: nothing changes, nobody is told twice.
			await sweepTenant(t.db, world.tenantId, utc('2027-04-01', 2));
			await sweepTenant(t.db, world.tenantId, utc('2027-04-02', 2));
			expect(await footprint(certificateId)).toEqual(expired);
			expect(await outboxOf(certificateId, 'certificate.expired')).toHaveLength(told.length);
		});

		it('a late sweep dates the expiry on the day after the last valid day, not its own', async () => {
			const certificateId = await newCertificate(t, world);
			await t.owner
				.updateTable('certificates')
				.set({ expires_on: '2027-05-31' })
				.where('id', '=', certificateId)
				.execute();
			// The sweep did not run for ten days (a stopped worker): the history still says 1 June.
			await sweepTenant(t.db, world.tenantId, utc('2027-06-10', 4));
			expect((await certificate(certificateId)).status).toBe('expired');
			expect((await history(certificateId)).at(-1)).toMatchObject({
				change: 'expired',
				effective_on: '2027-06-01'
			});
		});

		it('expires a suspended certificate too, and a renewed one only at its new expiry', async () => {
			const suspended = await newCertificate(t, world, { status: 'suspended' });
			const c = await recertification({}, '2029-01-09');
			await renew(c);
			await sweepTenant(t.db, world.tenantId, utc('2029-01-10', 4));
			expect((await certificate(suspended)).status).toBe('expired');
			expect((await history(suspended)).at(-1)).toMatchObject({
				change: 'expired',
				from_status: 'suspended'
			});
			expect((await certificate(c.certificateId)).status).toBe('active');
			await sweepTenant(t.db, world.tenantId, utc('2032-01-10', 4));
			expect((await certificate(c.certificateId)).status).toBe('expired');
		});

		it("sweeps one tenant's certificates only", async () => {
			const mine = await newCertificate(t, world);
			const theirs = await newCertificate(t, other);
			for (const id of [mine, theirs]) await setExpiry(id, '2027-06-30');
			await sweepTenant(t.db, world.tenantId, utc('2027-07-01', 4));
			expect((await certificate(mine)).status).toBe('expired');
			expect((await certificate(theirs)).status).toBe('active');
			expect(await history(theirs)).toEqual([]);
			await sweepTenant(t.db, other.tenantId, utc('2027-07-01', 4));
			expect((await certificate(theirs)).status).toBe('expired');
			expect((await auditOf(t, theirs)).map((entry) => entry.action)).toEqual([
				'certificate.expire'
			]);
		});
	});

	describe('the suspension clock on the certificate page', () => {
		it('shows since when, the latest restore date by the scheme rules, and offers restore and withdraw', async () => {
			const certificateId = await newCertificate(t, world);
			expect((await getCertificate(t.db, world.admin, certificateId)).suspension).toBeNull();
			await decide(world.decider, {
				certificateId,
				version: 1,
				kind: 'suspend',
				reason: '严重不符合项逾期未关闭'
			});
			const page = await getCertificate(t.db, world.orgUser, certificateId);
			expect(page.suspension).toEqual({
				since: today,
				restoreBy: addMonths(today, 6),
				late: false,
				maxSuspensionMonths: 6,
				withdrawalProposedOn: null
			});
			const options = await callerFor(app, world.decider).decisions.options({ certificateId });
			expect(options.kinds).toEqual(['withdraw', 'restore', 'reduce_scope']);
			// A suspension older than the rule allows reads late, with the proposal the chase made.
			await t.owner
				.updateTable('certificate_history')
				.set({ effective_on: '2026-01-15' })
				.where('certificate_id', '=', certificateId)
				.execute();
			await t.owner
				.updateTable('certificates')
				.set({ withdrawal_proposed_on: '2026-07-15' })
				.where('id', '=', certificateId)
				.execute();
			expect((await getCertificate(t.db, world.admin, certificateId)).suspension).toMatchObject({
				since: '2026-01-15',
				restoreBy: '2026-07-15',
				late: true,
				withdrawalProposedOn: '2026-07-15'
			});
		});
	});

	describe('structured scope', () => {
		it('extends and reduces the sites, outlets and product lines, each with history from/to', async () => {
			const certificateId = await newCertificate(t, world);
			const extended = await changeScope(certificateId, 1, {
				kind: 'extend_scope',
				reason: '扩大到泉州网点',
				scopeItemKind: ['site', 'service_outlet', 'product_line'],
				scopeItemName: ['厦门总部', '泉州服务网点', ''],
				scopeItemAddress: ['厦门市思明区', '泉州市丰泽区', '']
			});
			let row = await certificate(certificateId);
			expect(row.scope_items.map((item) => [item.kind, item.name, item.address])).toEqual([
				['site', '厦门总部', '厦门市思明区'],
				['service_outlet', '泉州服务网点', '泉州市丰泽区']
			]);
			// The text scope is kept when not given anew.
			expect(row.scope).toBe('After-sales service of household appliances');
			let rows = await history(certificateId);
			expect(rows).toHaveLength(1);
			expect(rows[0]).toMatchObject({
				change: 'scope',
				decision_id: extended.decisionId,
				from_scope_items: [],
				to_scope_items: row.scope_items
			});
			expect((await auditOf(t, certificateId)).map((entry) => entry.action)).toContain(
				'decision.extend_scope'
			);

			// A duplicate (case and spacing aside) is refused on its field, nothing changed.
			expect(
				await refusedChangingNothing(certificateId, () =>
					changeScope(certificateId, row.version, {
						kind: 'extend_scope',
						reason: 'x',
						scopeItemKind: ['site'],
						scopeItemName: [' 厦门总部 ']
					})
				)
			).toMatchObject({
				code: 'BAD_REQUEST',
				key: 'renewal_scope_item_duplicate',
				field: 'scopeItemName'
			});
			expect(
				await refusedChangingNothing(certificateId, () =>
					changeScope(certificateId, row.version, {
						kind: 'extend_scope',
						reason: 'x',
						scopeItemKind: ['site'],
						scopeItemName: ['']
					})
				)
			).toMatchObject({ code: 'BAD_REQUEST', key: 'renewal_scope_items_required' });

			// Reduce: remove the outlet, with new text.
			const outlet = row.scope_items.find((item) => item.kind === 'service_outlet')!;
			await changeScope(certificateId, row.version, {
				kind: 'reduce_scope',
				reason: '泉州网点停业',
				removeScopeItemIds: [outlet.id],
				newScope: 'After-sales service of household appliances (Xiamen)'
			});
			const previous = row.scope_items;
			row = await certificate(certificateId);
			expect(row.scope_items.map((item) => item.name)).toEqual(['厦门总部']);
			rows = await history(certificateId);
			expect(rows.at(-1)).toMatchObject({
				change: 'scope',
				from_scope: 'After-sales service of household appliances',
				to_scope: 'After-sales service of household appliances (Xiamen)',
				from_scope_items: previous,
				to_scope_items: row.scope_items
			});
			// Removing the last item, or one the certificate does not cover, is refused.
			for (const [ids, key] of [
				[[row.scope_items[0]!.id], 'renewal_scope_items_all_removed'],
				[[outlet.id], 'renewal_scope_item_unknown']
			] as const)
				expect(
					await refusalOf(
						changeScope(certificateId, row.version, {
							kind: 'reduce_scope',
							reason: 'x',
							removeScopeItemIds: [...ids]
						})
					)
				).toMatchObject({ code: 'BAD_REQUEST', key, field: 'removeScopeItemIds' });

			// The page shows the items and the history rows with their items.
			const page = await getCertificate(t.db, world.orgUser, certificateId);
			expect(page.scope_items.map((item) => item.name)).toEqual(['厦门总部']);
			expect(page.history.map((entry) => entry.change)).toEqual(['scope', 'scope']);
		});

		it('reads a form post of one row through the same schema', () => {
			const parsed = takeDecisionSchema.parse({
				certificateId: '00000000-0000-4000-8000-000000000000',
				version: '3',
				kind: 'extend_scope',
				reason: 'Form.',
				scopeItemKind: 'product_line',
				scopeItemName: ' 家用空调 ',
				scopeItemAddress: ''
			});
			expect(parsed).toMatchObject({
				scopeItemKind: ['product_line'],
				scopeItemName: ['家用空调'],
				// A blank single field is an empty list: the item's address is ''.
				scopeItemAddress: []
			});
			expect(
				takeDecisionSchema.safeParse({
					certificateId: '00000000-0000-4000-8000-000000000000',
					version: 3,
					kind: 'extend_scope',
					reason: 'x',
					scopeItemKind: ['factory']
				}).error?.issues[0]?.message
			).toBe('renewal_scope_item_kind_invalid');
		});
	});
});
