import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { callerFor, newActor, newTenant, testApp } from '../support/factories';
import { auditOf, json, newWorkflowWorld, type WorkflowWorld } from '../support/workflow-factories';
import { Refusal } from '../../src/lib/server/errors';
import { addDays, todayInZone } from '../../src/lib/server/domain/calendar';
import { periodOf } from '../../src/lib/server/domain/registry-export';
import { createCertificate, getCertificate } from '../../src/lib/server/services/certificates';
import { createCertificateInput } from '../../src/lib/server/services/certificates.schema';
import { registryPreview } from '../../src/lib/server/services/registry-export';
import { watchedCertificates } from '../../src/lib/server/repositories/chase';
import { submitForm } from '../../src/lib/server/forms';
import { publicCertificate } from '../../src/lib/server/services/verification';
import type { App } from '../../src/lib/server/app';

/*
 * Issue 12 item 4, on PostgreSQL and PGlite: a certificate transferred from another body with its
 * history there, line by line. The lines as recorded (their own change, in order, audited with
 * the certificate), each refusal on its row's field with nothing saved (through the service and
 * through the form), the tenant boundary, and that the lines stay that body's: out of this
 * body's registry files, its surveillance, expiry and suspension clocks and its public status.
 */

async function refusalOf(call: Promise<unknown>) {
	try {
		await call;
	} catch (error) {
		const cause = error instanceof TRPCError ? error.cause : error;
		if (cause instanceof Refusal)
			return { code: cause.kind, key: cause.messageKey, field: cause.field };
		throw error;
	}
	throw new Error('expected the call to be refused');
}

describe.each(DIALECTS)('a transfer with its history at the earlier body (%s)', (kind) => {
	let t: TestDatabase;
	let app: App;
	let world: WorkflowWorld;
	let today: string;
	/** The day this body issued the transferred certificate. */
	let issuedOn: string;
	const day = (offset: number) => addDays(today, offset);

	const transfer = (overrides: Record<string, unknown> = {}) => ({
		number: `TR-${crypto.randomUUID().slice(0, 8)}`,
		organisationId: world.organisationId,
		standardId: world.standardId,
		scope: '家用电器的售后服务',
		gradeLevelId: world.grades.four,
		issuedOn,
		previousBodyName: '中国质量认证中心',
		previousNumber: `CQC-${crypto.randomUUID().slice(0, 6)}`,
		...overrides
	});

	/** A history of rows as the form's parallel lists. */
	const rows = (...lines: [string, string, string?][]) => ({
		previousHistoryOn: lines.map(([on]) => on),
		previousHistoryEvent: lines.map(([, event]) => event),
		previousHistoryNote: lines.map(([, , note]) => note ?? '')
	});

	const fullHistory = () =>
		rows(
			[day(-350), 'issued', '初次认证'],
			[day(-200), 'surveillance', '第一次监督'],
			[day(-150), 'suspended', '未按期监督'],
			[day(-120), 'restored'],
			[day(-120), 'scope_reduced', '删去一个网点'],
			['', '', ''],
			[day(-60), 'surveillance']
		);

	const certificateCount = async () =>
		Number(
			(
				await t.owner
					.selectFrom('certificates')
					.select((eb) => eb.fn.countAll().as('n'))
					.where('tenant_id', '=', world.tenantId)
					.executeTakeFirstOrThrow()
			).n
		);

	const lines = (certificateId: string) =>
		t.owner
			.selectFrom('certificate_history')
			.select([
				'id',
				'change',
				'effective_on',
				'previous_body_event',
				'previous_body_note',
				'previous_body_position',
				'to_status'
			])
			.where('certificate_id', '=', certificateId)
			.orderBy('effective_on')
			.orderBy('previous_body_position')
			.execute();

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		app = testApp(t);
		world = await newWorkflowWorld(t);
		today = todayInZone(new Date(), world.admin.tenant.timeZone);
		issuedOn = day(-10);
	});

	afterAll(async () => {
		await t?.drop();
	});

	it('records the earlier body’s lines in order, blank rows left out, with the certificate’s audit entry', async () => {
		const certificate = await callerFor(app, world.admin).certificates.create(
			transfer({ ...fullHistory() })
		);
		const recorded = await lines(certificate.id);
		expect(
			recorded.map((line) => [
				line.change,
				line.effective_on,
				line.previous_body_event,
				line.previous_body_note,
				line.previous_body_position
			])
		).toEqual([
			['previous_body', day(-350), 'issued', '初次认证', 1],
			['previous_body', day(-200), 'surveillance', '第一次监督', 2],
			['previous_body', day(-150), 'suspended', '未按期监督', 3],
			['previous_body', day(-120), 'restored', '', 4],
			['previous_body', day(-120), 'scope_reduced', '删去一个网点', 5],
			['previous_body', day(-60), 'surveillance', '', 6],
			['issued', issuedOn, null, null, null],
			['transferred', today, null, null, null]
		]);
		// None carries a status: the earlier suspension is not this body's.
		expect(
			recorded.filter((line) => line.change === 'previous_body').map((l) => l.to_status)
		).toEqual([null, null, null, null, null, null]);

		// The page's history: the earlier body's lines first, in the order typed.
		const page = await getCertificate(t.db, world.admin, certificate.id);
		expect(page.history.map((row) => row.previous_body_event ?? row.change)).toEqual([
			'issued',
			'surveillance',
			'suspended',
			'restored',
			'scope_reduced',
			'surveillance',
			'issued',
			'transferred'
		]);
		expect(page.history[0]).toMatchObject({
			change: 'previous_body',
			previous_body_note: '初次认证'
		});

		const audit = await auditOf(t, certificate.id);
		expect(audit).toHaveLength(1);
		expect(audit[0]!.action).toBe('certificate.create');
		expect(json(audit[0]!.after)).toMatchObject({
			origin: 'transferred',
			previousHistory: [
				`${day(-350)} issued: 初次认证`,
				`${day(-200)} surveillance: 第一次监督`,
				`${day(-150)} suspended: 未按期监督`,
				`${day(-120)} restored`,
				`${day(-120)} scope_reduced: 删去一个网点`,
				`${day(-60)} surveillance`
			]
		});
	});

	it('refuses each inconsistent history on the row’s field, saving nothing', async () => {
		const cases: [ReturnType<typeof rows>, string, string][] = [
			[rows([day(-30), 'issued'], [day(5), 'surveillance']), 'previousHistoryOn.1', 'date_future'],
			[rows([day(-5), 'issued']), 'previousHistoryOn.0', 'date_after_issue'],
			[
				rows([day(-100), 'issued'], [day(-200), 'surveillance']),
				'previousHistoryOn.1',
				'date_order'
			],
			[rows(['2025-02-30', 'issued']), 'previousHistoryOn.0', 'date_invalid'],
			[rows(['', 'surveillance', 'no day']), 'previousHistoryOn.0', 'date_required'],
			[rows([day(-100), '', 'what?']), 'previousHistoryEvent.0', 'event_required'],
			[rows([day(-100), 'granted']), 'previousHistoryEvent.0', 'event_unknown'],
			[
				rows([day(-100), 'surveillance'], [day(-90), 'issued']),
				'previousHistoryEvent.1',
				'issued_not_first'
			],
			[
				rows([day(-100), 'issued'], [day(-90), 'restored']),
				'previousHistoryEvent.1',
				'restored_not_suspended'
			],
			[
				rows([day(-100), 'suspended'], [day(-90), 'suspended']),
				'previousHistoryEvent.1',
				'suspended_already'
			],
			[
				rows([day(-100), 'suspended'], [day(-90), 'scope_extended'], [day(-80), 'restored']),
				'previousHistoryEvent.1',
				'while_suspended'
			],
			[
				rows([day(-100), 'issued'], [day(-90), 'suspended'], [day(-80), 'surveillance']),
				'previousHistoryEvent.1',
				'ends_suspended'
			],
			[rows([day(-100), 'issued', 'x'.repeat(1001)]), 'previousHistoryNote.0', 'note_too_long']
		];
		const before = await certificateCount();
		for (const [history, field, reason] of cases)
			expect(
				await refusalOf(callerFor(app, world.admin).certificates.create(transfer(history))),
				`${field} ${reason}`
			).toEqual({
				code: 'BAD_REQUEST',
				key: `certificate_previous_history_${reason}`,
				field
			});

		// A history needs the earlier body; an import of this body's own certificate has none.
		expect(
			await refusalOf(
				// The service refuses before it starts a transaction (synchronously).
				(async () =>
					createCertificate(
						t.db,
						world.admin,
						transfer({
							previousBodyName: null,
							previousNumber: null,
							...rows([day(-100), 'issued'])
						})
					))()
			)
		).toEqual({
			code: 'BAD_REQUEST',
			key: 'certificate_previous_history_needs_body',
			field: 'previousBodyName'
		});
		expect(await certificateCount()).toBe(before);
	});

	it('answers the form with the message in the user’s language at the row’s field', async () => {
		const form = new FormData();
		for (const [name, value] of Object.entries(transfer())) form.append(name, String(value));
		for (const [on, event] of [
			[day(-100), 'issued'],
			[day(-200), 'surveillance'],
			['', '']
		]) {
			form.append('previousHistoryOn', on!);
			form.append('previousHistoryEvent', event!);
			form.append('previousHistoryNote', '');
		}
		const before = await certificateCount();
		for (const [locale, message] of [
			['en', 'This date is before the row above: enter the events oldest first.'],
			['zh-CN', '该日期早于上一行：请按时间先后填写。']
		] as const) {
			const request = new Request('http://localhost/certificates/new', {
				method: 'POST',
				body: form
			});
			const answer = await submitForm(request, locale, createCertificateInput, (input) =>
				createCertificate(t.db, world.admin, input)
			);
			expect(answer).toMatchObject({
				status: 400,
				data: { errors: { 'previousHistoryOn.1': message } }
			});
		}
		expect(await certificateCount()).toBe(before);
	});

	it('keeps the lines in their tenant', async () => {
		const certificate = await createCertificate(
			t.db,
			world.admin,
			transfer(rows([day(-300), 'issued'], [day(-100), 'surveillance']))
		);
		const other = await newActor(t, (await newTenant(t)).id, 'admin');
		expect(await refusalOf(getCertificate(t.db, other, certificate.id))).toMatchObject({
			code: 'NOT_FOUND'
		});
		// Row-level security: the other tenant's session reads none of its history.
		const seen = await t.db.inTenant({ tenantId: other.tenantId, userId: other.userId }, (tx) =>
			tx
				.selectFrom('certificate_history')
				.select('id')
				.where('certificate_id', '=', certificate.id)
				.execute()
		);
		expect(seen).toEqual([]);
		const own = await t.db.inTenant(
			{ tenantId: world.tenantId, userId: world.admin.userId },
			(tx) =>
				tx
					.selectFrom('certificate_history')
					.select('id')
					.where('certificate_id', '=', certificate.id)
					.where('change', '=', 'previous_body')
					.execute()
		);
		expect(own).toHaveLength(2);
	});

	it('leaves the earlier body’s lines out of the registry files', async () => {
		const certificate = await createCertificate(t.db, world.admin, transfer(fullHistory()));
		const earlier = new Set(
			(await lines(certificate.id))
				.filter((line) => line.change === 'previous_body')
				.map((line) => line.id)
		);
		expect(earlier.size).toBe(6);
		const preview = await registryPreview(t.db, world.admin, periodOf(day(-360), today));
		const mine = preview.rows.filter((row) => row.certificateId === certificate.id);
		expect(mine.map((row) => [row.change, row.effectiveOn, row.status])).toEqual([
			['issued', issuedOn, 'active'],
			['transferred', today, 'active']
		]);
		expect(preview.rows.some((row) => earlier.has(row.historyId))).toBe(false);
	});

	it('leaves this body’s clocks as they are without the history', async () => {
		const twin = await createCertificate(t.db, world.admin, transfer());
		// The earlier body suspended it, and it ends restored: nothing of it is this body's.
		const withHistory = await createCertificate(
			t.db,
			world.admin,
			transfer(
				rows(
					[day(-700), 'issued'],
					[day(-400), 'renewed'],
					[day(-300), 'suspended'],
					[day(-250), 'restored'],
					[day(-100), 'surveillance']
				)
			)
		);
		expect(withHistory.expires_on).toBe(twin.expires_on);
		const [a, b] = await Promise.all([
			getCertificate(t.db, world.admin, twin.id),
			getCertificate(t.db, world.admin, withHistory.id)
		]);
		expect(b.surveillance).toEqual(a.surveillance);
		expect(b.suspension).toBeNull();
		expect(b.status).toBe('active');

		const watched = await t.db.inTenant(
			{ tenantId: world.tenantId, userId: null },
			watchedCertificates
		);
		const clockOf = (id: string) => {
			const row = watched.find((w) => w.id === id)!;
			return {
				issued_on: row.issued_on,
				decided_on: row.decided_on,
				expires_on: row.expires_on,
				suspended_on: row.suspended_on,
				last_surveillance_ended_on: row.last_surveillance_ended_on
			};
		};
		expect(clockOf(withHistory.id)).toEqual(clockOf(twin.id));
		expect(clockOf(withHistory.id).suspended_on).toBeNull();

		// The public status on a day of the earlier suspension is this body's: not yet issued here.
		const verified = await publicCertificate(
			t.db,
			world.admin.tenant.slug,
			withHistory.number,
			new Date(),
			day(-280)
		);
		expect(verified?.asOf).toEqual({ kind: 'not_issued', on: day(-280) });
		expect(verified?.certificate.today).toMatchObject({ kind: 'state', status: 'active' });
	});

	it('refuses, in the database, an earlier body’s line that carries this body’s state', async () => {
		const certificate = await createCertificate(t.db, world.admin, transfer());
		await expect(
			t.owner
				.insertInto('certificate_history')
				.values({
					tenant_id: world.tenantId,
					certificate_id: certificate.id,
					change: 'previous_body',
					previous_body_event: 'suspended',
					previous_body_position: 1,
					to_status: 'suspended',
					effective_on: day(-100)
				})
				.execute()
		).rejects.toThrow(/certificate_history_previous_body/);
		await expect(
			t.owner
				.insertInto('certificate_history')
				.values({
					tenant_id: world.tenantId,
					certificate_id: certificate.id,
					change: 'status',
					previous_body_event: 'suspended',
					previous_body_position: 1,
					effective_on: day(-100)
				})
				.execute()
		).rejects.toThrow(/certificate_history_previous_body/);
	});
});
