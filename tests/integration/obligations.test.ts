import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { newActor, newOrganisation, newTenant, testApp } from '../support/factories';
import { newFinding, PDF_BYTES } from '../support/evidence-factories';
import type { Actor } from '../../src/lib/server/actor';
import type { App } from '../../src/lib/server/app';
import { Refusal } from '../../src/lib/server/errors';
import { LocalDiskStorage } from '../../src/lib/server/evidence/storage';
import { handleEvidenceUpload } from '../../src/lib/server/evidence/upload';
import { openEvidenceForDownload } from '../../src/lib/server/services/evidence';
import { insertDueItems } from '../../src/lib/server/repositories/obligations';
import {
	createObligation,
	listObligationPage,
	raiseDueItemAsFinding,
	reviewDueItem,
	submitDueItem,
	updateObligation
} from '../../src/lib/server/services/obligations';
import {
	createObligationInput,
	reviewDueItemInput
} from '../../src/lib/server/services/obligations.schema';
import { verifyEvidence } from '../../jobs/evidence-verify/verify';

/*
 * Recurring obligations (issue 7 §3) against PostgreSQL and PGlite: the organisation fulfils its
 * due items with evidence through the findings' upload pipeline; the body reads them as
 * fulfilled / late / missing (an injected clock), reviews them and raises a late one as a finding.
 */

const ORIGIN = 'https://certtrack.test';
/** Noon in Shanghai on a day, as an instant. */
const at = (day: string) => new Date(`${day}T04:00:00Z`);

async function refusalOf(work: Promise<unknown>): Promise<Refusal> {
	const error = await work.then(
		() => null,
		(cause: unknown) => cause
	);
	expect(error).toBeInstanceOf(Refusal);
	return error as Refusal;
}

describe.each(DIALECTS)('recurring obligations (%s)', (kind) => {
	let t: TestDatabase;
	let app: App;
	let dir: string;
	let storage: LocalDiskStorage;
	let admin: Actor;
	let evaluator: Actor;
	let orgUserX: Actor;
	let orgUserY: Actor;
	let orgUserB: Actor;
	let adminB: Actor;
	let orgX: { id: string };
	let orgY: { id: string };
	let obligationId: string;

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		dir = await mkdtemp(join(tmpdir(), 'certtrack-obligations-'));
		storage = new LocalDiskStorage(dir);
		const base = testApp(t);
		app = { ...base, config: { ...base.config, evidenceDir: dir } };
		const tenantA = await newTenant(t);
		const tenantB = await newTenant(t);
		orgX = await newOrganisation(t, tenantA.id);
		orgY = await newOrganisation(t, tenantA.id);
		const orgB = await newOrganisation(t, tenantB.id);
		admin = await newActor(t, tenantA.id, 'admin');
		evaluator = await newActor(t, tenantA.id, 'evaluator');
		orgUserX = await newActor(t, tenantA.id, 'org_member', orgX.id);
		orgUserY = await newActor(t, tenantA.id, 'org_admin', orgY.id);
		orgUserB = await newActor(t, tenantB.id, 'org_admin', orgB.id);
		adminB = await newActor(t, tenantB.id, 'admin');
		({ id: obligationId } = await createObligation(
			t.db,
			admin,
			createObligationInput.parse({
				organisationId: orgX.id,
				titleZh: '派工单',
				titleEn: 'Work orders',
				cadence: 'monthly',
				dueDay: '2',
				startsOn: '2026-09-01'
			})
		));
	});

	afterAll(async () => {
		await t?.drop();
		if (dir) await rm(dir, { recursive: true, force: true });
	});

	/** One due item of the obligation, as the sweep writes it. */
	async function dueItem(periodStart: string, periodEnd: string, dueOn: string) {
		const [row] = await t.db.inTenant({ tenantId: admin.tenantId, userId: null }, (tx) =>
			insertDueItems(tx, admin.tenantId, [{ obligationId, periodStart, periodEnd, dueOn }])
		);
		return row!.id;
	}

	function upload(actor: Actor, itemId: string, name = 'records.pdf') {
		const form = new FormData();
		form.append('effective_from', '2026-11-01');
		form.append(
			'files',
			new File([new Uint8Array(Buffer.concat([PDF_BYTES, randomBytes(32)]))], name, {
				type: 'application/pdf'
			})
		);
		return handleEvidenceUpload({
			request: new Request(`${ORIGIN}/api/obligation-evidence/${itemId}`, {
				method: 'POST',
				body: form,
				headers: { origin: ORIGIN }
			}),
			app,
			actor,
			subject: { kind: 'obligation_due_item', id: itemId },
			locale: 'en',
			storage,
			now: at('2026-12-20')
		});
	}

	const itemRow = (id: string) =>
		t.owner
			.selectFrom('obligation_due_items')
			.selectAll()
			.where('id', '=', id)
			.executeTakeFirstOrThrow();
	const auditsOf = (entityId: string) =>
		t.owner
			.selectFrom('audit_log')
			.select(['action', 'actor_user_id', 'before', 'after'])
			.where('entity_id', '=', entityId)
			.orderBy('seq')
			.execute();
	const outboxOf = (template: string) =>
		t.owner
			.selectFrom('outbox')
			.select(['to_email', 'dedupe_key'])
			.where('template', '=', template)
			.execute();

	it('admins create and deactivate obligations (audited); others may not', async () => {
		expect((await auditsOf(obligationId)).map((row) => row.action)).toEqual(['obligation.create']);
		const input = {
			obligationId,
			titleZh: '派工单',
			titleEn: 'Work orders',
			cadence: 'monthly' as const,
			dueDay: 2,
			startsOn: '2026-09-01',
			active: false
		};
		expect((await refusalOf(updateObligation(t.db, evaluator, input))).kind).toBe('FORBIDDEN');
		await updateObligation(t.db, admin, input);
		expect((await auditsOf(obligationId)).at(-1)).toMatchObject({
			action: 'obligation.update',
			before: { active: true },
			after: { active: false }
		});
		await updateObligation(t.db, admin, { ...input, active: true });
		const other = await refusalOf(
			createObligation(t.db, adminB, { ...input, organisationId: orgX.id })
		);
		expect(other.messageKey).toBe('obligations_error_organisation_unknown');
		// The column's check, said by the schema first: a weekly obligation is due on a weekday.
		const weekly = createObligationInput.safeParse({
			organisationId: orgX.id,
			titleZh: '记录统计表',
			cadence: 'weekly',
			dueDay: '9',
			startsOn: '2026-09-01'
		});
		expect(weekly.success).toBe(false);
		expect(weekly.error?.issues[0]).toMatchObject({
			path: ['dueDay'],
			message: 'obligations_error_weekday'
		});
	});

	it('evidence of a due item goes through the upload pipeline; exactly one subject per file', async () => {
		const itemId = await dueItem('2026-09-01', '2026-09-30', '2026-10-02');
		const response = await upload(orgUserX, itemId);
		expect(response.status).toBe(200);
		expect(response.body.files).toMatchObject([{ ok: true, detectedType: 'application/pdf' }]);
		const [row] = await t.owner
			.selectFrom('evidence')
			.selectAll()
			.where('obligation_due_item_id', '=', itemId)
			.execute();
		expect(row).toMatchObject({ finding_id: null, integrity_status: 'pending' });
		expect((await auditsOf(itemId)).map((audit) => audit.action)).toEqual(['evidence.upload']);

		// The integrity job checks it like a finding's evidence (nobody to tell: no lead).
		const verified = await verifyEvidence(t.db, dir, admin.tenantId, row!.id);
		expect(verified).toMatchObject({ status: 'verified', outboxIds: [] });

		// Its organisation and the body download it; another organisation finds nothing.
		const download = await openEvidenceForDownload(t.db, orgUserX, row!.id, storage);
		download.stream.destroy();
		expect(download.evidence.findingId).toBeNull();
		await openEvidenceForDownload(t.db, evaluator, row!.id, storage).then((d) =>
			d.stream.destroy()
		);
		expect((await refusalOf(openEvidenceForDownload(t.db, orgUserY, row!.id, storage))).kind).toBe(
			'NOT_FOUND'
		);

		// The check constraint: a file names a finding or a due item, never both nor neither.
		const finding = await newFinding(t, admin.tenantId, orgX.id, evaluator.userId);
		const values = {
			tenant_id: admin.tenantId,
			sha256: row!.sha256,
			size_bytes: 10,
			detected_type: 'application/pdf',
			original_name: 'x.pdf',
			uploaded_by: orgUserX.userId,
			effective_from: '2026-11-01'
		};
		await expect(
			t.owner
				.insertInto('evidence')
				.values({ ...values, finding_id: null })
				.execute()
		).rejects.toThrow(/evidence_one_subject/);
		await expect(
			t.owner
				.insertInto('evidence')
				.values({ ...values, finding_id: finding.id, obligation_due_item_id: itemId })
				.execute()
		).rejects.toThrow(/evidence_one_subject/);
	});

	it('another organisation or tenant can neither see nor fulfil an item', async () => {
		const itemId = await dueItem('2026-10-01', '2026-10-31', '2026-11-02');
		for (const actor of [orgUserY, orgUserB]) {
			const response = await upload(actor, itemId);
			expect(response.status).toBe(404);
			expect((await refusalOf(submitDueItem(t.db, actor, { itemId }))).kind).toBe('NOT_FOUND');
			const page = await listObligationPage(t.db, actor);
			expect(page.items.map((item) => item.id)).not.toContain(itemId);
		}
		// The body of another tenant: RLS hides the row, whatever the id.
		const pageB = await listObligationPage(t.db, adminB);
		expect(pageB.items).toEqual([]);
		expect(
			await t.db.inTenant({ tenantId: adminB.tenantId, userId: adminB.userId }, (tx) =>
				tx.selectFrom('obligation_due_items').select('id').execute()
			)
		).toEqual([]);
		// The body's staff do not fulfil an organisation's obligations.
		expect((await upload(evaluator, itemId)).status).toBe(403);
		expect((await refusalOf(submitDueItem(t.db, evaluator, { itemId }))).kind).toBe('FORBIDDEN');
		expect(
			await t.owner
				.selectFrom('evidence')
				.select('id')
				.where('obligation_due_item_id', '=', itemId)
				.execute()
		).toEqual([]);
		expect((await itemRow(itemId)).status).toBe('pending');
	});

	it('submitting needs a file, marks the item submitted (audited) and tells the admins', async () => {
		const itemId = await dueItem('2026-11-01', '2026-11-30', '2026-12-02');
		const empty = await refusalOf(submitDueItem(t.db, orgUserX, { itemId }, at('2026-12-01')));
		expect(empty).toMatchObject({ kind: 'CONFLICT', messageKey: 'obligations_error_no_evidence' });
		await upload(orgUserX, itemId);
		await submitDueItem(t.db, orgUserX, { itemId }, at('2026-12-01'));
		expect((await itemRow(itemId)).status).toBe('submitted');
		expect((await auditsOf(itemId)).at(-1)).toMatchObject({
			action: 'obligation.submit',
			actor_user_id: orgUserX.userId,
			before: { status: 'pending' },
			after: { status: 'submitted' }
		});
		const mails = (await outboxOf('obligation.submitted')).filter((row) =>
			row.dedupe_key.includes(itemId)
		);
		expect(mails.map((row) => row.to_email)).toEqual([admin.email]);
		// Submitted: nothing more is added or submitted until the body answers.
		expect((await upload(orgUserX, itemId)).status).toBe(409);
		const again = await refusalOf(submitDueItem(t.db, orgUserX, { itemId }));
		expect(again.messageKey).toBe('obligations_error_not_open');
	});

	it('classifies fulfilled / late / missing / open with an injected clock', async () => {
		const onTime = await dueItem('2026-06-01', '2026-06-30', '2026-07-02');
		const late = await dueItem('2026-07-01', '2026-07-31', '2026-08-02');
		const missing = await dueItem('2026-08-01', '2026-08-31', '2026-09-02');
		const notDue = await dueItem('2027-01-01', '2027-01-31', '2027-02-02');
		await upload(orgUserX, onTime);
		await submitDueItem(t.db, orgUserX, { itemId: onTime }, at('2026-07-02'));
		await upload(orgUserX, late);
		await submitDueItem(t.db, orgUserX, { itemId: late }, at('2026-08-03'));
		const page = await listObligationPage(t.db, evaluator, {}, at('2026-12-20'));
		const standing = (id: string) => page.items.find((item) => item.id === id)?.standing;
		expect(standing(onTime)).toBe('fulfilled');
		expect(standing(late)).toBe('late');
		expect(standing(missing)).toBe('missing');
		expect(standing(notDue)).toBe('open');
		// The organisation sees the missing one as late, the others by their status.
		const own = await listObligationPage(t.db, orgUserX, {}, at('2026-12-20'));
		const shown = (id: string) => own.items.find((item) => item.id === id)?.displayStatus;
		expect([shown(onTime), shown(late), shown(missing), shown(notDue)]).toEqual([
			'submitted',
			'submitted',
			'late',
			'pending'
		]);
		// One day before the due day, the same item was still open.
		const earlier = await listObligationPage(t.db, evaluator, {}, at('2026-09-02'));
		expect(earlier.items.find((item) => item.id === missing)?.standing).toBe('open');
	});

	it('the body accepts or rejects a submission (audited); a rejection reopens the item', async () => {
		const itemId = await dueItem('2026-05-01', '2026-05-31', '2026-06-02');
		await upload(orgUserX, itemId);
		const early = await refusalOf(
			reviewDueItem(t.db, evaluator, { itemId, verdict: 'accept', comment: '' })
		);
		expect(early.messageKey).toBe('obligations_error_not_submitted');
		await submitDueItem(t.db, orgUserX, { itemId }, at('2026-06-01'));
		expect(
			reviewDueItemInput.safeParse({ itemId, verdict: 'reject', comment: ' ' }).error?.issues[0]
		).toMatchObject({ path: ['comment'], message: 'obligations_error_reason_required' });
		const byOrg = await refusalOf(
			reviewDueItem(t.db, orgUserX, { itemId, verdict: 'accept', comment: '' })
		);
		expect(byOrg.kind).toBe('FORBIDDEN');
		await reviewDueItem(t.db, evaluator, { itemId, verdict: 'reject', comment: '缺少签字' });
		expect(await itemRow(itemId)).toMatchObject({ status: 'rejected', review_comment: '缺少签字' });
		expect((await auditsOf(itemId)).at(-1)).toMatchObject({
			action: 'obligation.reject',
			after: { status: 'rejected', comment: '缺少签字' }
		});
		expect(
			(await outboxOf('obligation.rejected')).filter((row) => row.dedupe_key.includes(itemId))
		).toHaveLength(1);
		// Reopened: the organisation adds a file and submits again; the body accepts.
		expect((await upload(orgUserX, itemId, 'signed.pdf')).status).toBe(200);
		await submitDueItem(t.db, orgUserX, { itemId }, at('2026-06-05'));
		await reviewDueItem(t.db, admin, { itemId, verdict: 'accept', comment: '' });
		expect((await itemRow(itemId)).status).toBe('accepted');
		expect((await auditsOf(itemId)).at(-1)?.action).toBe('obligation.accept');
	});

	it("tells the body's obligation reviewers of an integrity mismatch (email and bell), with the flag", async () => {
		const itemId = await dueItem('2026-01-01', '2026-01-31', '2026-02-02');
		expect((await upload(orgUserX, itemId, 'tampered.pdf')).status).toBe(200);
		const evidence = await t.owner
			.selectFrom('evidence')
			.select(['id'])
			.where('obligation_due_item_id', '=', itemId)
			.executeTakeFirstOrThrow();
		// The record no longer matches the stored bytes.
		// (size_bytes is not updatable through the row types: the app never changes it.)
		await sql`update evidence set size_bytes = size_bytes + 1 where id = ${evidence.id}`.execute(
			t.owner
		);
		const result = await verifyEvidence(t.db, dir, admin.tenantId, evidence.id);
		expect(result).toMatchObject({ status: 'rejected', problem: 'size_mismatch' });
		const mails = await t.owner
			.selectFrom('outbox')
			.select(['template', 'recipient_user_id', 'link', 'subject', 'locale'])
			.where('dedupe_key', 'like', `evidence:${evidence.id}:%`)
			.execute();
		expect(mails.map((m) => m.recipient_user_id).sort()).toEqual(
			[admin.userId, evaluator.userId].sort()
		);
		expect(mails.every((m) => m.template === 'evidence.integrity_problem')).toBe(true);
		expect(mails.every((m) => m.link.endsWith(`/obligations?organisation=${orgX.id}`))).toBe(true);
		// The obligation is named in each reviewer's language, with its period.
		for (const mail of mails)
			expect(mail.subject).toContain(mail.locale === 'en' ? 'Work orders' : '派工单');
		expect(result!.outboxIds).toHaveLength(mails.length);
		const bell = await t.owner
			.selectFrom('notifications')
			.select(['user_id', 'template'])
			.where('template', '=', 'evidence.integrity_problem')
			.where('link', 'like', `%/obligations?organisation=${orgX.id}`)
			.execute();
		expect(bell.map((b) => b.user_id).sort()).toEqual([admin.userId, evaluator.userId].sort());
		// The flag and the messages are one transaction: the row says what the job found.
		expect(
			await t.owner
				.selectFrom('evidence')
				.select(['integrity_status', 'integrity_detail'])
				.where('id', '=', evidence.id)
				.executeTakeFirstOrThrow()
		).toEqual({ integrity_status: 'rejected', integrity_detail: 'size_mismatch' });
		// Nobody is written to twice: the job finds the row checked.
		expect(await verifyEvidence(t.db, dir, admin.tenantId, evidence.id)).toBeNull();
	});

	it('raises a late or missing item as a nonconformity in the next evaluation (planned or under way), once', async () => {
		const itemId = await dueItem('2026-04-01', '2026-04-30', '2026-05-02');
		const other = await dueItem('2026-02-01', '2026-02-28', '2026-03-02');
		const now = at('2026-12-20');
		// No evaluation of the organisation at all: refused, clearly.
		const none = await refusalOf(
			raiseDueItemAsFinding(t.db, admin, { itemId, grade: 'minor' }, now)
		);
		expect(none).toMatchObject({ kind: 'CONFLICT', messageKey: 'obligations_error_no_evaluation' });
		// Only an evaluation whose report is issued: it takes no new finding, refused the same.
		await newFinding(t, admin.tenantId, orgX.id, evaluator.userId, {
			evaluationStatus: 'report_issued'
		});
		const issued = await refusalOf(
			raiseDueItemAsFinding(t.db, admin, { itemId, grade: 'minor' }, now)
		);
		expect(issued).toMatchObject({
			kind: 'CONFLICT',
			messageKey: 'obligations_error_no_evaluation'
		});
		// A planned one: the next evaluation, accepted as the target.
		const plannedFinding = await newFinding(t, admin.tenantId, orgX.id, evaluator.userId, {
			evaluationStatus: 'planned'
		});
		const intoPlan = await raiseDueItemAsFinding(
			t.db,
			admin,
			{ itemId: other, grade: 'minor' },
			now
		);
		expect(intoPlan.evaluationId).toBe(plannedFinding.evaluation_id);
		expect(
			await t.owner
				.selectFrom('findings')
				.select(['kind', 'status', 'evaluation_id'])
				.where('id', '=', intoPlan.findingId)
				.executeTakeFirstOrThrow()
		).toEqual({
			kind: 'nonconformity',
			status: 'open',
			evaluation_id: plannedFinding.evaluation_id
		});
		// One under way comes first.
		const running = await newFinding(t, admin.tenantId, orgX.id, evaluator.userId, {
			evaluationStatus: 'in_progress'
		});
		const raised = await raiseDueItemAsFinding(t.db, admin, { itemId, grade: 'minor' }, now);
		expect(raised.evaluationId).toBe(running.evaluation_id);
		const finding = await t.owner
			.selectFrom('findings')
			.selectAll()
			.where('id', '=', raised.findingId)
			.executeTakeFirstOrThrow();
		expect(finding).toMatchObject({ kind: 'nonconformity', grade: 'minor', status: 'open' });
		expect(finding.statement).toContain('派工单 / Work orders');
		expect(finding.statement).toContain('2026-04-01 – 2026-04-30');
		expect(finding.objective_evidence).toContain(itemId);
		expect((await itemRow(itemId)).raised_finding_id).toBe(raised.findingId);
		expect((await auditsOf(itemId)).at(-1)).toMatchObject({
			action: 'obligation.raise_finding',
			after: { finding_id: raised.findingId }
		});
		const twice = await refusalOf(
			raiseDueItemAsFinding(t.db, admin, { itemId, grade: 'minor' }, now)
		);
		expect(twice.messageKey).toBe('obligations_error_already_raised');
		// An item on time is no finding; an organisation's user raises nothing.
		const onTime = await dueItem('2026-03-01', '2026-03-31', '2026-04-02');
		await upload(orgUserX, onTime);
		await submitDueItem(t.db, orgUserX, { itemId: onTime }, at('2026-04-01'));
		const fine = await refusalOf(
			raiseDueItemAsFinding(t.db, admin, { itemId: onTime, grade: 'minor' }, now)
		);
		expect(fine.messageKey).toBe('obligations_error_not_late');
		const byOrg = await refusalOf(
			raiseDueItemAsFinding(t.db, orgUserX, { itemId, grade: 'minor' }, now)
		);
		expect(byOrg.kind).toBe('FORBIDDEN');
	});
});
