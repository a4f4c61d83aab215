import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { newActor } from '../support/factories';
import {
	newCertificate,
	newFinding,
	newWorkflowWorld,
	type WorkflowWorld
} from '../support/workflow-factories';
import { sweepTenant } from '../../jobs/chase-tenant/sweep';
import { addDays, addMonths } from '../../src/lib/server/domain/calendar';
import { sendDigests } from '../../src/lib/server/mail/digest';
import { enqueueMessage, messageContent } from '../../src/lib/server/mail/outbox';
import { countUnreadNotifications } from '../../src/lib/server/repositories/notifications';
import { renderSummary } from '../../src/lib/server/mail/templates';
import type { Locale } from '../../db/schema';
import { checkRegistry, definitions, handlers, RegistryMismatch } from '../../jobs/registry';

/* The clocks of issue 7 against a real database, with an injected clock: each stage fires once,
 * at its stage, whatever the number of sweeps; a moved deadline never fires its old stages. */

/** Noon in Shanghai on `day`: the tenant's calendar day is `day`. */
const at = (day: string) => new Date(`${day}T04:00:00Z`);

for (const kind of DIALECTS) {
	describe(`the chase (${kind})`, () => {
		let t: TestDatabase;
		let world: WorkflowWorld;

		beforeAll(async () => {
			t = await createTestDatabase(kind);
			world = await newWorkflowWorld(t);
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
			// Quiet the certificate clocks of the world's certificate for the finding tests.
			await t.owner
				.updateTable('certificates')
				.set({ decided_on: '2026-11-20', issued_on: '2026-11-20', expires_on: '2029-11-19' })
				.where('id', '=', world.certificateId)
				.execute();
		});
		afterAll(() => t?.drop());

		const reminders = (subjectId: string) =>
			t.owner
				.selectFrom('reminders')
				.select(['stage', 'due_on', 'fired_on'])
				.where('subject_id', '=', subjectId)
				.orderBy('fired_at')
				.execute();
		const outboxFor = (like: string) =>
			t.owner
				.selectFrom('outbox')
				.select(['to_email', 'locale', 'subject', 'template', 'link', 'dedupe_key'])
				.where('dedupe_key', 'like', `%${like}%`)
				.execute();

		it('fires each stage of a nonconformity exactly once, on its day', async () => {
			const due = '2027-01-20';
			const finding = await newFinding(t, world, {
				grade: 'major',
				dueOn: due,
				raisedOn: '2026-12-01'
			});
			for (let day = addDays(due, -15); day <= addDays(due, 15); day = addDays(day, 1)) {
				await sweepTenant(t.db, world.tenantId, at(day));
				if (day === addDays(due, -7)) await sweepTenant(t.db, world.tenantId, at(day)); // twice
			}
			const fired = await reminders(finding.id);
			expect(fired.map((r) => `${r.stage}@${String(r.fired_on).slice(0, 10)}`)).toEqual([
				`before_14d@${addDays(due, -14)}`,
				`before_7d@${addDays(due, -7)}`,
				`before_1d@${addDays(due, -1)}`,
				`on_day@${due}`,
				`suspension_due@${addDays(due, 1)}`,
				`overdue_7d@${addDays(due, 7)}`,
				`escalation@${addDays(due, 7)}`,
				`overdue_14d@${addDays(due, 14)}`
			]);
			// The organisation's contact (Chinese) and user hear the reminders; the lead the escalation.
			const messages = await outboxFor(finding.id);
			const before7 = messages.filter((m) => m.dedupe_key.includes(':before_7d:'));
			expect(before7.map((m) => m.to_email).sort()).toEqual(
				['wang@org.test', world.orgUser.email].sort()
			);
			expect(before7.find((m) => m.to_email === 'wang@org.test')?.subject).toContain('7 天后到期');
			expect(before7[0]!.link).toMatch(new RegExp(`/findings/${finding.id}$`));
			const escalation = messages.filter((m) => m.template === 'finding.escalation');
			expect(escalation.map((m) => m.to_email)).toEqual([world.evaluator.email]);
			const suspension = messages.filter((m) => m.template === 'finding.suspension_due');
			expect(suspension.map((m) => m.to_email)).toEqual([world.admin.email]);
			// The certificate carries the "suspension due" flag: suspend_within_days after the first late day.
			const certificate = await t.owner
				.selectFrom('certificates')
				.select('suspension_due_by')
				.where('id', '=', world.certificateId)
				.executeTakeFirstOrThrow();
			expect(String(certificate.suspension_due_by).slice(0, 10)).toBe(addDays(due, 1 + 5));
			const audit = await t.owner
				.selectFrom('audit_log')
				.select(['action', 'actor_user_id'])
				.where('entity_id', '=', world.certificateId)
				.where('action', '=', 'certificate.suspension_due')
				.execute();
			expect(audit).toEqual([{ action: 'certificate.suspension_due', actor_user_id: null }]);
			// The org user's bell counts the same messages.
			const unread = await t.db.inTenant({ tenantId: world.tenantId, userId: null }, (tx) =>
				countUnreadNotifications(tx, world.orgUser.userId)
			);
			expect(unread).toBeGreaterThanOrEqual(6);
		});

		it('changes nothing when sweeps of the same day run in parallel', async () => {
			const due = '2027-03-10';
			const finding = await newFinding(t, world, { grade: 'minor', dueOn: due });
			const day = addDays(due, -7);
			await Promise.all([1, 2, 3, 4].map(() => sweepTenant(t.db, world.tenantId, at(day))));
			expect((await reminders(finding.id)).map((r) => r.stage)).toEqual(['before_7d']);
			expect(await outboxFor(finding.id)).toHaveLength(2);
		});

		it('never fires the old stages of a moved deadline', async () => {
			const due = '2027-04-20';
			const finding = await newFinding(t, world, { grade: 'minor', dueOn: due });
			await sweepTenant(t.db, world.tenantId, at(addDays(due, -7)));
			const moved = addDays(due, 10);
			await t.owner
				.updateTable('findings')
				.set({ due_on: moved })
				.where('id', '=', finding.id)
				.execute();
			await sweepTenant(t.db, world.tenantId, at(addDays(due, -1)));
			await sweepTenant(t.db, world.tenantId, at(due));
			const fired = (await reminders(finding.id)).map(
				(r) => `${r.stage}:${String(r.due_on).slice(0, 10)}`
			);
			expect(fired).toEqual([`before_7d:${due}`, `before_14d:${moved}`]);
		});

		it('writes each bulk reminder as the mail layer words it, whatever the statement holds', async () => {
			const due = '2027-05-20';
			// The database fills the texts' markers (U+001F) in: a statement holding one and a
			// marker's name forges nothing.
			const statement = 'Records of \u001freference\u001f and 100% of ‘$1’ missing.';
			const finding = await newFinding(t, world, { grade: 'minor', dueOn: due, statement });
			await sweepTenant(t.db, world.tenantId, at(addDays(due, -7)));
			const rows = await t.owner
				.selectFrom('outbox')
				.selectAll()
				.where('dedupe_key', 'like', `reminder:finding:${finding.id}:before_7d:${due}:%`)
				.execute();
			expect(rows.map((row) => row.to_email).sort()).toEqual(
				['wang@org.test', world.orgUser.email].sort()
			);
			const values = { reference: finding.reference, days: 7, dueOn: due, statement };
			const shown = { ...values, statement: statement.replaceAll('\u001f', '') };
			for (const row of rows) {
				const locale = row.locale as Locale;
				expect(row.params).toEqual({
					values,
					recipientName: expect.any(String),
					tenantName: expect.any(String)
				});
				expect(row.subject).toBe(renderSummary('finding.due_reminder', values, locale).subject);
				expect(row.message_id).toBe(`<${row.id}@${new URL(row.link).hostname}>`);
				expect(row.link).toMatch(new RegExp(`/findings/${finding.id}$`));
				expect(row.status).toBe('pending');
				expect(messageContent(row).text).toContain(finding.reference);
			}
			const mine = rows.find((row) => row.recipient_user_id === world.orgUser.userId)!;
			const note = await t.owner
				.selectFrom('notifications')
				.select(['title', 'body', 'link'])
				.where('user_id', '=', world.orgUser.userId)
				.where('dedupe_key', '=', `reminder:finding:${finding.id}:before_7d:${due}`)
				.executeTakeFirstOrThrow();
			expect(note).toEqual({
				title: mine.subject,
				body: renderSummary('finding.due_reminder', shown, mine.locale as Locale).body,
				link: mine.link
			});
		});

		it('raises an overdue minor to major under the scheme rule, with the rule in the audit log', async () => {
			const other = await newWorkflowWorld(t);
			await t.owner
				.insertInto('scheme_rules')
				.values({
					tenant_id: other.tenantId,
					standard_id: other.standardId,
					overdue_minor_becomes_major: true
				})
				.execute();
			const due = '2026-12-10';
			const finding = await newFinding(t, other, { grade: 'minor', dueOn: due });
			await sweepTenant(t.db, other.tenantId, at(addDays(due, 1)));
			await sweepTenant(t.db, other.tenantId, at(addDays(due, 1)));
			const row = await t.owner
				.selectFrom('findings')
				.select(['grade'])
				.where('id', '=', finding.id)
				.executeTakeFirstOrThrow();
			expect(row.grade).toBe('major');
			const audit = await t.owner
				.selectFrom('audit_log')
				.select(['action', 'actor_user_id', 'after'])
				.where('entity_id', '=', finding.id)
				.execute();
			expect(audit.map((a) => a.action)).toEqual(['finding.regrade_by_rule']);
			expect(audit[0]!.actor_user_id).toBeNull();
			expect(JSON.stringify(audit[0]!.after)).toContain('overdue_minor_becomes_major');
			const told = (await outboxFor(finding.id)).filter((m) => m.template === 'finding.regraded');
			expect(told.map((m) => m.to_email).sort()).toEqual(
				[other.orgUser.email, other.evaluator.email].sort()
			);
		});

		it('reminds of expiry and expires the certificate with a history row', async () => {
			const certificateId = await newCertificate(t, world);
			const expiresOn = '2027-08-31';
			await t.owner
				.updateTable('certificates')
				.set({ expires_on: expiresOn, decided_on: '2026-12-20', issued_on: '2026-12-20' })
				.where('id', '=', certificateId)
				.execute();
			for (const day of [
				addMonths(expiresOn, -6),
				addMonths(expiresOn, -3),
				addMonths(expiresOn, -1),
				addDays(expiresOn, 1),
				addDays(expiresOn, 2)
			])
				await sweepTenant(t.db, world.tenantId, at(day));
			expect((await reminders(certificateId)).map((r) => r.stage)).toEqual([
				'before_6m',
				'before_3m',
				'before_1m',
				'expired'
			]);
			const history = await t.owner
				.selectFrom('certificate_history')
				.select(['change', 'to_status'])
				.where('certificate_id', '=', certificateId)
				.execute();
			expect(history).toEqual([{ change: 'expired', to_status: 'expired' }]);
			const status = await t.owner
				.selectFrom('certificates')
				.select('status')
				.where('id', '=', certificateId)
				.executeTakeFirstOrThrow();
			expect(status.status).toBe('expired');
		});

		it('proposes withdrawal of a long suspension to admins and decision makers', async () => {
			const certificateId = await newCertificate(t, world, { status: 'suspended' });
			await t.owner
				.insertInto('certificate_history')
				.values({
					tenant_id: world.tenantId,
					certificate_id: certificateId,
					change: 'status',
					from_status: 'active',
					to_status: 'suspended',
					effective_on: '2026-06-15'
				})
				.execute();
			await sweepTenant(t.db, world.tenantId, at('2026-12-14'));
			expect(await reminders(certificateId)).toEqual([]);
			await sweepTenant(t.db, world.tenantId, at('2026-12-15'));
			await sweepTenant(t.db, world.tenantId, at('2026-12-16'));
			expect((await reminders(certificateId)).map((r) => r.stage)).toEqual(['withdrawal_proposal']);
			const told = (await outboxFor(certificateId)).map((m) => m.to_email).sort();
			expect(told).toEqual([world.admin.email, world.decider.email].sort());
			const row = await t.owner
				.selectFrom('certificates')
				.select('withdrawal_proposed_on')
				.where('id', '=', certificateId)
				.executeTakeFirstOrThrow();
			expect(String(row.withdrawal_proposed_on).slice(0, 10)).toBe('2026-12-15');
		});

		it('chases surveillance 60 and 30 days before, then weekly, to admins and the last lead', async () => {
			const certificateId = await newCertificate(t, world);
			await t.owner
				.updateTable('certificates')
				.set({ decided_on: '2026-03-01', issued_on: '2026-03-01', expires_on: '2029-02-28' })
				.where('id', '=', certificateId)
				.execute();
			const due = '2027-03-01';
			for (const day of [
				addDays(due, -60),
				addDays(due, -45),
				addDays(due, -30),
				addDays(due, 7),
				addDays(due, 8)
			])
				await sweepTenant(t.db, world.tenantId, at(day));
			expect((await reminders(certificateId)).map((r) => r.stage)).toEqual([
				'before_60d',
				'before_30d',
				'overdue_7d'
			]);
			const first = (await outboxFor(`surveillance:${certificateId}:before_60d`)).map(
				(m) => m.to_email
			);
			expect(first).toEqual([world.admin.email]);
		});

		it('reopens verification on the follow-up check day and tells the evaluator', async () => {
			const finding = await newFinding(t, world, { status: 'closed', dueOn: '2026-11-01' });
			await t.owner
				.updateTable('findings')
				.set({ follow_up_check_on: '2027-02-01' })
				.where('id', '=', finding.id)
				.execute();
			await sweepTenant(t.db, world.tenantId, at('2027-01-31'));
			await sweepTenant(t.db, world.tenantId, at('2027-02-01'));
			await sweepTenant(t.db, world.tenantId, at('2027-02-02'));
			expect((await reminders(finding.id)).map((r) => r.stage)).toEqual(['follow_up_check']);
			const row = await t.owner
				.selectFrom('findings')
				.select('verification_reopened_on')
				.where('id', '=', finding.id)
				.executeTakeFirstOrThrow();
			expect(String(row.verification_reopened_on).slice(0, 10)).toBe('2027-02-01');
			expect((await outboxFor(finding.id)).map((m) => m.to_email)).toEqual([world.evaluator.email]);
		});

		it('generates one due item per period and reminds 3 days before, on the day, weekly late', async () => {
			const obligation = await t.owner
				.insertInto('recurring_obligations')
				.values({
					tenant_id: world.tenantId,
					organisation_id: world.organisationId,
					title_zh: '派工单',
					title_en: 'Work orders',
					cadence: 'monthly',
					due_day: 2,
					starts_on: '2026-11-01'
				})
				.returning('id')
				.executeTakeFirstOrThrow();
			for (const day of [
				'2026-11-28',
				'2026-11-29',
				'2026-12-01',
				'2026-12-02',
				'2026-12-02',
				'2026-12-09'
			])
				await sweepTenant(t.db, world.tenantId, at(day));
			const items = await t.owner
				.selectFrom('obligation_due_items')
				.select(['id', 'period_start', 'due_on'])
				.where('obligation_id', '=', obligation.id)
				.orderBy('period_start')
				.execute();
			expect(items.map((i) => String(i.due_on).slice(0, 10))).toEqual(['2026-12-02', '2027-01-02']);
			expect((await reminders(items[0]!.id)).map((r) => r.stage)).toEqual([
				'before_3d',
				'on_day',
				'overdue_7d'
			]);
		});

		it('holds messages for digest readers and sends one digest a day', async () => {
			const reader = await newActor(t, world.tenantId, 'admin');
			await t.owner
				.updateTable('users')
				.set({ mail_mode: 'digest', locale: 'en' })
				.where('id', '=', reader.userId)
				.execute();
			await t.db.inTenant({ tenantId: world.tenantId, userId: null }, async (tx) => {
				for (const reference of ['NC-A', 'NC-B'])
					await enqueueMessage(tx, {
						tenantId: world.tenantId,
						template: 'finding.plan_accepted',
						recipients: [{ userId: reader.userId }],
						params: { reference, dueOn: '2027-01-01' },
						link: '/findings/x'
					});
			});
			const held = await t.owner
				.selectFrom('outbox')
				.select('status')
				.where('to_email', '=', reader.email)
				.execute();
			expect(held.map((h) => h.status)).toEqual(['held', 'held']);
			const tomorrow = new Date(Date.now() + 86_400_000);
			expect(await sendDigests(t.db, world.tenantId, tomorrow)).toHaveLength(1);
			expect(await sendDigests(t.db, world.tenantId, tomorrow)).toHaveLength(0);
			const digest = await t.owner
				.selectFrom('outbox')
				.selectAll()
				.where('to_email', '=', reader.email)
				.where('template', '=', 'digest')
				.executeTakeFirstOrThrow();
			expect(digest.subject).toMatch(/2 messages/);
			expect(messageContent(digest).text).toContain('NC-A');
		});
	});
}

describe('the job registry', () => {
	it('is consistent, and a definition without a handler (or the reverse) refuses to start', () => {
		expect(checkRegistry().size).toBe(definitions.length);
		expect(() => checkRegistry(definitions, handlers.slice(1))).toThrow(RegistryMismatch);
		expect(() => checkRegistry(definitions.slice(1), handlers)).toThrow(/no registered definition/);
	});
});
