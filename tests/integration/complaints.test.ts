import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { newWorkflowWorld, type WorkflowWorld } from '../support/workflow-factories';
import { publicAddress, tenantSlug } from '../support/complaint-form';
import { Refusal } from '../../src/lib/server/errors';
import {
	complaintOfEvaluation,
	complaintStatus,
	fileComplaint,
	getComplaint,
	listComplaintPage,
	openSpecialEvaluation,
	takeComplaintStep
} from '../../src/lib/server/services/complaints';
import {
	complaintStepInput,
	fileComplaintInput
} from '../../src/lib/server/services/complaints.schema';
import { messageContent, type StoredMessage } from '../../src/lib/server/mail/outbox';

/*
 * Issue 13 item 4 on PostgreSQL and PGlite: a visitor with no account files a complaint at a body
 * (found by its public slug), the complainant's receipt in the outbox with the reference, the
 * body's triage steps with their dates and audit entries, the special evaluation opened from a
 * complaint and its link back, the status lookup by reference and email (status and dates, and
 * nothing else), and the wall between two bodies.
 */

describe.each(DIALECTS)('complaints (%s)', (kind) => {
	let t: TestDatabase;
	let a: WorkflowWorld;
	let b: WorkflowWorld;
	let slugA: string;
	let slugB: string;
	let numberA: string;

	const form = (overrides: Record<string, string> = {}) =>
		fileComplaintInput.parse({
			name: '王小明',
			email: 'Xiaoming.Wang@example.test',
			phone: '138 0000 0000',
			certificateNumber: numberA,
			body: 'The repair promised within 24 hours took nine days.',
			...overrides
		});

	const complaintRow = (reference: string) =>
		t.owner
			.selectFrom('complaints')
			.selectAll()
			.where('reference', '=', reference)
			.executeTakeFirst();

	const outboxTo = (email: string) =>
		t.owner
			.selectFrom('outbox')
			.select([
				'template',
				'locale',
				'subject',
				'link',
				'params',
				'text_body',
				'html_body',
				'to_email',
				'tenant_id',
				'recipient_user_id'
			])
			.where('to_email', '=', email)
			.orderBy('created_at')
			.execute();

	const auditOf = (entityId: string) =>
		t.owner
			.selectFrom('audit_log')
			.select(['action', 'actor_user_id', 'after', 'tenant_id'])
			.where('entity_id', '=', entityId)
			.orderBy('seq')
			.execute();

	const refusal = async (work: Promise<unknown>) => {
		try {
			await work;
		} catch (cause) {
			if (cause instanceof Refusal)
				return { kind: cause.kind, key: cause.messageKey, field: cause.field };
			throw cause;
		}
		throw new Error('expected a refusal');
	};

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		a = await newWorkflowWorld(t);
		b = await newWorkflowWorld(t);
		({ slug: slugA, number: numberA } = await publicAddress(t, a));
		slugB = await tenantSlug(t, b.tenantId);
	}, 120_000);

	afterAll(async () => {
		await t?.drop();
	});

	it('files a complaint in the body found by slug, with a reference, an audit entry and the receipt', async () => {
		const filed = await fileComplaint(t.db, slugA, form(), 'en');
		expect(filed.kind).toBe('filed');
		const reference = filed.kind === 'filed' ? filed.reference : '';
		expect(reference).toMatch(/^C-[2-9A-HJKMNP-Z]{8}$/);
		const row = (await complaintRow(reference))!;
		expect(row).toMatchObject({
			tenant_id: a.tenantId,
			certificate_id: a.certificateId,
			organisation_id: a.organisationId,
			complainant_name: '王小明',
			complainant_phone: '138 0000 0000',
			status: 'received',
			locale: 'en',
			acknowledged_at: null
		});
		const audit = await auditOf(row.id);
		expect(audit.map((entry) => [entry.action, entry.actor_user_id, entry.tenant_id])).toEqual([
			['complaint.file', null, a.tenantId]
		]);
		// The receipt: to the address as typed, in the complainant's language, with the reference,
		// leading to the status page of the body.
		const [receipt, ...more] = await outboxTo('Xiaoming.Wang@example.test');
		expect(more).toEqual([]);
		expect(receipt).toMatchObject({
			template: 'complaint.received',
			locale: 'en',
			tenant_id: a.tenantId,
			recipient_user_id: null,
			subject: `Complaint ${reference} received`
		});
		expect(receipt!.link).toContain(`/verify/${slugA}/complaint?reference=${reference}`);
		const content = messageContent(receipt as StoredMessage);
		expect(content.text).toContain(reference);
		expect(content.html).toContain(reference);
		// The complainant has no account: the footer leads to the complaint's status page, not
		// to the notification settings of users.
		expect(content.text).not.toContain('/notifications');
		expect(content.html).not.toContain('/notifications');
		expect(content.text).toContain(`on its status page: ${receipt!.link}`);
		expect(content.html).toContain(
			`<a href="${receipt!.link.replaceAll('&', '&amp;')}" style="color:#1d4ed8">Complaint status</a>`
		);
	});

	it('files a general complaint with no certificate, in Chinese', async () => {
		const filed = await fileComplaint(
			t.db,
			slugA,
			form({ certificateNumber: '', email: 'general@example.test' }),
			'zh-CN'
		);
		const row = (await complaintRow(filed.kind === 'filed' ? filed.reference : ''))!;
		expect(row).toMatchObject({ certificate_id: null, organisation_id: null, locale: 'zh-CN' });
		const [receipt] = await outboxTo('general@example.test');
		expect(receipt!.subject).toBe(`投诉 ${row.reference} 已收到`);
	});

	it('stores nothing when the hidden field is filled, and refuses unknown bodies and numbers', async () => {
		const before = await t.owner.selectFrom('complaints').select('id').execute();
		const outboxBefore = await t.owner.selectFrom('outbox').select('id').execute();
		expect(
			await fileComplaint(t.db, slugA, form({ website: 'http://spam.example' }), 'en')
		).toEqual({
			kind: 'discarded'
		});
		expect(await refusal(fileComplaint(t.db, 'no-such-body', form(), 'en'))).toMatchObject({
			kind: 'NOT_FOUND'
		});
		// Body B holds no certificate with A's number: refused on its field.
		expect(await refusal(fileComplaint(t.db, slugB, form(), 'en'))).toEqual({
			kind: 'BAD_REQUEST',
			key: 'complaints_error_certificate_unknown',
			field: 'certificateNumber'
		});
		expect(await t.owner.selectFrom('complaints').select('id').execute()).toHaveLength(
			before.length
		);
		expect(await t.owner.selectFrom('outbox').select('id').execute()).toHaveLength(
			outboxBefore.length
		);
		// The form's own bounds: no name, no body, a bad email.
		const bad = fileComplaintInput.safeParse({
			name: ' ',
			email: 'nope',
			body: '',
			certificateNumber: '',
			phone: ''
		});
		expect(bad.success).toBe(false);
		expect(bad.error!.issues.map((issue) => issue.path[0]).sort()).toEqual([
			'body',
			'email',
			'name'
		]);
	});

	it('moves a complaint through its steps, each dated, audited and mailed to the complainant', async () => {
		const filed = await fileComplaint(t.db, slugA, form({ email: 'steps@example.test' }), 'en');
		const reference = filed.kind === 'filed' ? filed.reference : '';
		const { id } = (await complaintRow(reference))!;
		let version = 1;

		// Closing before acknowledging is refused; so is a stale version.
		expect(
			await refusal(
				takeComplaintStep(t.db, a.admin, { id, version, step: 'resolve', note: 'done' })
			)
		).toMatchObject({ kind: 'CONFLICT', key: 'complaints_error_step_not_allowed' });
		expect(
			await refusal(
				takeComplaintStep(t.db, a.admin, { id, version: 9, step: 'acknowledge', note: '' })
			)
		).toMatchObject({ kind: 'CONFLICT', key: 'error_stale_version' });
		// A decision maker reads complaints but does not move them on; an evaluator does neither.
		expect(
			await refusal(
				takeComplaintStep(t.db, a.decider, { id, version, step: 'acknowledge', note: '' })
			)
		).toMatchObject({ kind: 'FORBIDDEN' });
		expect((await getComplaint(t.db, a.decider, id)).steps).toEqual([]);
		expect(await refusal(getComplaint(t.db, a.evaluator, id))).toMatchObject({ kind: 'FORBIDDEN' });
		expect(await refusal(getComplaint(t.db, a.orgUser, id))).toMatchObject({ kind: 'FORBIDDEN' });

		expect((await getComplaint(t.db, a.admin, id)).steps).toEqual(['acknowledge']);
		for (const [step, status] of [
			['acknowledge', 'acknowledged'],
			['investigate', 'investigating'],
			['resolve', 'resolved']
		] as const) {
			const result = await takeComplaintStep(t.db, a.admin, {
				id,
				version,
				step,
				note: `note for ${step}`
			});
			expect(result.status).toBe(status);
			version = result.version;
		}
		const row = (await complaintRow(reference))!;
		expect(row.status).toBe('resolved');
		for (const column of ['acknowledged_at', 'investigating_at', 'closed_at'] as const)
			expect(row[column]).toBeInstanceOf(Date);
		expect((await getComplaint(t.db, a.admin, id)).steps).toEqual([]);
		const audit = await auditOf(id);
		expect(audit.map((entry) => entry.action)).toEqual([
			'complaint.file',
			'complaint.acknowledge',
			'complaint.investigate',
			'complaint.resolve'
		]);
		expect(audit[3]!.actor_user_id).toBe(a.admin.userId);
		expect(audit[3]!.after).toMatchObject({ status: 'resolved', note: 'note for resolve' });
		const mails = await outboxTo('steps@example.test');
		expect(mails.map((mail) => mail.subject)).toEqual([
			`Complaint ${reference} received`,
			`Complaint ${reference}: Acknowledged`,
			`Complaint ${reference}: Investigating`,
			`Complaint ${reference}: Resolved`
		]);
		// Closing needs its reason (the form and the tRPC input share this schema).
		const noNote = complaintStepInput.safeParse({ id, version, step: 'reject', note: '' });
		expect(noNote.error?.issues[0]).toMatchObject({
			path: ['note'],
			message: 'complaints_error_note_required'
		});
	});

	it('shows the acknowledgement clock on the triage list, filtered by status', async () => {
		const now = new Date();
		const page = await listComplaintPage(t.db, a.admin, {}, now);
		expect(page.complaints.length).toBeGreaterThanOrEqual(3);
		const received = page.complaints.find((row) => row.status === 'received')!;
		expect(received.clock.kind).toBe('due');
		const resolved = page.complaints.find((row) => row.status === 'resolved')!;
		expect(resolved.clock).toMatchObject({ kind: 'acknowledged', late: false });
		const only = await listComplaintPage(t.db, a.admin, { status: 'resolved' }, now);
		expect(only.complaints.every((row) => row.status === 'resolved')).toBe(true);
		expect(only.counts.resolved).toBe(only.complaints.length);
		// Ten days on, the unacknowledged one is overdue.
		const later = await listComplaintPage(
			t.db,
			a.admin,
			{},
			new Date(now.getTime() + 10 * 86_400_000)
		);
		expect(later.complaints.find((row) => row.id === received.id)!.clock.kind).toBe('overdue');
	});

	it('opens a special evaluation from a complaint, which links back to it', async () => {
		const filed = await fileComplaint(t.db, slugA, form({ email: 'special@example.test' }), 'en');
		const { id } = (await complaintRow(filed.kind === 'filed' ? filed.reference : ''))!;
		const acknowledged = await takeComplaintStep(t.db, a.admin, {
			id,
			version: 1,
			step: 'acknowledge',
			note: ''
		});
		const detail = await getComplaint(t.db, a.admin, id);
		expect(detail.mayOpenEvaluation).toBe(true);
		expect(detail.teamCandidates.map((person) => person.id)).toContain(a.evaluator.userId);
		const opened = await openSpecialEvaluation(t.db, a.admin, {
			id,
			version: acknowledged.version,
			windowStart: '2026-12-10',
			windowEnd: '2026-12-11',
			teamIds: [],
			leadId: a.evaluator.userId,
			note: 'On-site check of the repair records'
		});
		const evaluation = await t.owner
			.selectFrom('evaluations')
			.selectAll()
			.where('id', '=', opened.evaluationId)
			.executeTakeFirstOrThrow();
		expect(evaluation).toMatchObject({
			tenant_id: a.tenantId,
			kind: 'special',
			status: 'planned',
			certificate_id: a.certificateId,
			organisation_id: a.organisationId,
			standard_id: a.standardId,
			complaint_id: id
		});
		const row = (await complaintRow(filed.kind === 'filed' ? filed.reference : ''))!;
		expect(row).toMatchObject({ status: 'investigating', evaluation_id: opened.evaluationId });
		expect((await auditOf(id)).map((entry) => entry.action)).toContain('complaint.open_evaluation');
		expect((await auditOf(opened.evaluationId)).map((entry) => entry.action)).toEqual([
			'evaluation.plan'
		]);
		expect(await complaintOfEvaluation(t.db, a.admin, opened.evaluationId)).toEqual({
			id,
			reference: row.reference
		});
		// An evaluator opens the evaluation but is not shown the complaint behind it.
		expect(await complaintOfEvaluation(t.db, a.evaluator, opened.evaluationId)).toBeNull();
		// Once only.
		expect(
			await refusal(
				openSpecialEvaluation(t.db, a.admin, {
					id,
					version: opened.version,
					windowStart: '2026-12-10',
					windowEnd: '2026-12-11',
					teamIds: [],
					leadId: a.evaluator.userId,
					note: ''
				})
			)
		).toMatchObject({ kind: 'CONFLICT', key: 'complaints_error_evaluation_already_open' });
		// A complaint that names no certificate has nothing to evaluate.
		const general = await fileComplaint(
			t.db,
			slugA,
			form({ certificateNumber: '', email: 'nocert@example.test' }),
			'en'
		);
		const generalRow = (await complaintRow(general.kind === 'filed' ? general.reference : ''))!;
		const ack = await takeComplaintStep(t.db, a.admin, {
			id: generalRow.id,
			version: 1,
			step: 'acknowledge',
			note: ''
		});
		expect((await getComplaint(t.db, a.admin, generalRow.id)).mayOpenEvaluation).toBe(false);
		expect(
			await refusal(
				openSpecialEvaluation(t.db, a.admin, {
					id: generalRow.id,
					version: ack.version,
					windowStart: '2026-12-10',
					windowEnd: '2026-12-11',
					teamIds: [],
					leadId: a.evaluator.userId,
					note: ''
				})
			)
		).toMatchObject({ kind: 'CONFLICT', key: 'complaints_error_evaluation_needs_certificate' });
	});

	it("never shows body A's complaints to body B", async () => {
		const filed = await fileComplaint(t.db, slugA, form({ email: 'wall@example.test' }), 'en');
		const { id } = (await complaintRow(filed.kind === 'filed' ? filed.reference : ''))!;
		const listB = await listComplaintPage(t.db, b.admin, {});
		expect(listB.complaints.map((row) => row.id)).not.toContain(id);
		expect(listB.complaints).toEqual([]);
		expect(await refusal(getComplaint(t.db, b.admin, id))).toMatchObject({ kind: 'NOT_FOUND' });
		expect(
			await refusal(
				takeComplaintStep(t.db, b.admin, { id, version: 1, step: 'acknowledge', note: '' })
			)
		).toMatchObject({ kind: 'NOT_FOUND' });
		// Nothing changed at A.
		expect((await complaintRow(filed.kind === 'filed' ? filed.reference : ''))!.status).toBe(
			'received'
		);
		// Even with the reference and the right email, B's status page does not know it.
		expect(
			await complaintStatus(t.db, slugB, {
				reference: filed.kind === 'filed' ? filed.reference : '',
				email: 'wall@example.test'
			})
		).toBeNull();
	});

	it('answers a status lookup by reference and email with the status and dates only', async () => {
		const filed = await fileComplaint(t.db, slugA, form({ email: 'Lookup@Example.test' }), 'en');
		const reference = filed.kind === 'filed' ? filed.reference : '';
		const { id } = (await complaintRow(reference))!;
		await takeComplaintStep(t.db, a.admin, {
			id,
			version: 1,
			step: 'acknowledge',
			note: 'internal remark'
		});
		// Typed loosely: another case, spaces in the reference.
		const status = await complaintStatus(t.db, slugA, {
			reference: ` ${reference.toLowerCase().slice(0, 5)} ${reference.toLowerCase().slice(5)}`,
			email: 'lookup@example.TEST'
		});
		expect(status).toEqual({
			reference,
			status: 'acknowledged',
			receivedOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
			acknowledgedOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
			investigatingOn: null,
			closedOn: null
		});
		expect(JSON.stringify(status)).not.toContain('internal remark');
		expect(JSON.stringify(status)).not.toContain('repair');
		expect(
			await complaintStatus(t.db, slugA, { reference, email: 'someone.else@example.test' })
		).toBeNull();
		expect(
			await complaintStatus(t.db, slugA, { reference: 'C-22222222', email: 'lookup@example.test' })
		).toBeNull();
		expect(
			await refusal(complaintStatus(t.db, 'no-such-body', { reference, email: 'x@example.test' }))
		).toMatchObject({
			kind: 'NOT_FOUND'
		});
	});
});
