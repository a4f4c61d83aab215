import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { TRPCError } from '@trpc/server';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { callerFor, newActor, testApp } from '../support/factories';
import {
	auditOf,
	json,
	newEvidenceFile,
	newFinding,
	newWorkflowWorld,
	type WorkflowWorld
} from '../support/workflow-factories';
import {
	GIF_BYTES,
	JPEG_BYTES,
	PDF_BYTES,
	PNG_BYTES,
	TEXT_BYTES,
	WEBP_BYTES,
	ZIP_BYTES
} from '../support/evidence-factories';
import { Refusal } from '../../src/lib/server/errors';
import { translate } from '../../src/lib/server/i18n/translate';
import { LocalDiskStorage } from '../../src/lib/server/evidence/storage';
import {
	openEvidenceForDownload,
	openEvidenceForPreview
} from '../../src/lib/server/services/evidence';
import type { Actor } from '../../src/lib/server/actor';
import type { App } from '../../src/lib/server/app';

/*
 * Issue 10 defect 9: a verdict per evidence file (the evaluation's team and administrators only,
 * audited, beside the whole submission's verdict, which still works), the organisation taking
 * back a file before it is submitted (never after), and the inline preview: images and PDF only,
 * by the stored (sniffed) type, for exactly the people who may download the file.
 */

async function refusalOf(call: Promise<unknown>) {
	try {
		await call;
	} catch (error) {
		if (error instanceof TRPCError && error.cause instanceof Refusal)
			return { code: error.code, refusal: error.cause };
		if (error instanceof Refusal) return { code: error.kind, refusal: error };
		// The input schema's refusal (a field's message key), before any service runs.
		if (error instanceof TRPCError && error.code === 'BAD_REQUEST')
			return { code: error.code, refusal: new Refusal('BAD_REQUEST', String(error.cause)) };
		throw error;
	}
	throw new Error('expected the call to be refused');
}

describe.each(DIALECTS)('evidence files reviewed one by one (%s)', (kind) => {
	let t: TestDatabase;
	let app: App;
	let world: WorkflowWorld;
	let otherWorld: WorkflowWorld;
	let offTeam: Actor;
	let dir: string;
	let storage: LocalDiskStorage;

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		app = testApp(t);
		world = await newWorkflowWorld(t);
		otherWorld = await newWorkflowWorld(t);
		// An evaluator of the same body who is not on the evaluation's team.
		offTeam = await newActor(t, world.tenantId, 'evaluator');
		dir = await mkdtemp(join(tmpdir(), 'certtrack-evidence-review-'));
		storage = new LocalDiskStorage(dir);
	});

	afterAll(async () => {
		await t?.drop();
		if (dir) await rm(dir, { recursive: true, force: true });
	});

	/** A finding whose two files are submitted for review; returns the finding's new version. */
	async function submitted(reference: string) {
		const finding = await newFinding(t, world, { reference, status: 'action_in_progress' });
		const first = await newEvidenceFile(t, world, finding.id, world.orgUser.userId, 'rules.pdf');
		const second = await newEvidenceFile(t, world, finding.id, world.orgUser.userId, 'photo.pdf');
		const step = await callerFor(app, world.orgUser).workflow.submitEvidence({
			findingId: finding.id,
			version: finding.version,
			note: '附派工规则与现场照片。'
		});
		return { finding, first, second, version: step.version };
	}

	const verdictOf = (id: string) =>
		t.owner
			.selectFrom('evidence')
			.select(['review_verdict', 'review_note', 'reviewed_by'])
			.where('id', '=', id)
			.executeTakeFirstOrThrow();

	it('records a verdict per file by the team, audited, and shows it to both sides', async () => {
		const { finding, first, second } = await submitted('NC-FILES');
		const reviewer = callerFor(app, world.evaluator).evidence;
		await reviewer.reviewFile({
			findingId: finding.id,
			evidenceId: first.id,
			verdict: 'accepted',
			note: ''
		});
		await reviewer.reviewFile({
			findingId: finding.id,
			evidenceId: second.id,
			verdict: 'rejected',
			note: '照片看不清门牌号。'
		});
		expect(await verdictOf(first.id)).toEqual({
			review_verdict: 'accepted',
			review_note: null,
			reviewed_by: world.evaluator.userId
		});
		// An administrator may change a verdict while the submission is open; the log keeps both.
		await callerFor(app, world.admin).evidence.reviewFile({
			findingId: finding.id,
			evidenceId: first.id,
			verdict: 'rejected',
			note: '不是最新版本。'
		});
		const audits = (await auditOf(t, finding.id)).filter((a) => a.action === 'evidence.review');
		expect(audits).toHaveLength(3);
		expect(json(audits[2]!.before)).toEqual({
			evidence_id: first.id,
			file_verdict: 'accepted',
			note: null
		});
		expect(json(audits[2]!.after)).toMatchObject({
			evidence_id: first.id,
			file_verdict: 'rejected'
		});
		expect(audits[2]!.actor_user_id).toBe(world.admin.userId);

		for (const actor of [world.evaluator, world.orgUser]) {
			const detail = await callerFor(app, actor).workflow.detail({ id: finding.id });
			const files = detail.submissions[0]!.files;
			expect(files.map((f) => [f.originalName, f.review?.verdict, f.review?.note])).toEqual([
				['rules.pdf', 'rejected', '不是最新版本。'],
				['photo.pdf', 'rejected', '照片看不清门牌号。']
			]);
			expect(files[0]!.previewable).toBe(true);
		}
		const forReviewer = await callerFor(app, world.evaluator).workflow.detail({ id: finding.id });
		expect(forReviewer.mayReviewFiles).toBe(true);
		const forOrganisation = await callerFor(app, world.orgUser).workflow.detail({
			id: finding.id
		});
		expect(forOrganisation.mayReviewFiles).toBe(false);
	});

	it('refuses a verdict from the organisation, an evaluator off the team, another tenant, changing nothing', async () => {
		const { finding, first } = await submitted('NC-REFUSED');
		const input = {
			findingId: finding.id,
			evidenceId: first.id,
			verdict: 'accepted' as const,
			note: ''
		};
		const auditsBefore = (await auditOf(t, finding.id)).length;

		const organisation = await refusalOf(callerFor(app, world.orgUser).evidence.reviewFile(input));
		expect(organisation.code).toBe('FORBIDDEN');
		expect(organisation.refusal.messageKey).toBe('evidence_review_refused_role');
		expect(translate(organisation.refusal.messageKey, 'zh-CN')).toContain('审核人员');

		const off = await refusalOf(callerFor(app, offTeam).evidence.reviewFile(input));
		expect(off.code).toBe('FORBIDDEN');
		expect(off.refusal.messageKey).toBe('evaluations_error_not_on_team');

		const decider = await refusalOf(callerFor(app, world.decider).evidence.reviewFile(input));
		expect(decider.code).toBe('FORBIDDEN');

		// Another body's evaluator, and another organisation of the same body: the file is not there.
		for (const stranger of [otherWorld.evaluator, otherWorld.admin, world.otherOrgUser]) {
			const refused = await refusalOf(callerFor(app, stranger).evidence.reviewFile(input));
			expect(refused.code).toBe('NOT_FOUND');
		}
		// The file named with another finding of the same body is not found either.
		const elsewhere = await newFinding(t, world, { reference: 'NC-ELSEWHERE' });
		const wrong = await refusalOf(
			callerFor(app, world.evaluator).evidence.reviewFile({ ...input, findingId: elsewhere.id })
		);
		expect(wrong.code).toBe('NOT_FOUND');

		// A rejection says why.
		const noNote = await refusalOf(
			callerFor(app, world.evaluator).evidence.reviewFile({ ...input, verdict: 'rejected' })
		);
		expect(noNote.code).toBe('BAD_REQUEST');

		expect((await verdictOf(first.id)).review_verdict).toBeNull();
		expect((await auditOf(t, finding.id)).length).toBe(auditsBefore);
	});

	it('takes verdicts only on submitted files of the open submission', async () => {
		const finding = await newFinding(t, world, {
			reference: 'NC-UNSUBMITTED',
			status: 'action_in_progress'
		});
		const pending = await newEvidenceFile(t, world, finding.id, world.orgUser.userId);
		const refused = await refusalOf(
			callerFor(app, world.evaluator).evidence.reviewFile({
				findingId: finding.id,
				evidenceId: pending.id,
				verdict: 'accepted',
				note: ''
			})
		);
		expect(refused.code).toBe('CONFLICT');
		expect(refused.refusal.messageKey).toBe('evidence_review_not_submitted');
	});

	it('leaves the whole-submission review working: not effective, then effective, and freezes file verdicts', async () => {
		const { finding, first, version } = await submitted('NC-WHOLE');
		await callerFor(app, world.evaluator).evidence.reviewFile({
			findingId: finding.id,
			evidenceId: first.id,
			verdict: 'rejected',
			note: '缺少签字。'
		});
		const rejected = await callerFor(app, world.evaluator).workflow.reviewEvidence({
			findingId: finding.id,
			version,
			verdict: 'reject_evidence',
			comment: '请补充签字版本。'
		});
		expect(rejected.status).toBe('action_in_progress');
		// The judged submission's files keep their verdicts.
		const frozen = await refusalOf(
			callerFor(app, world.evaluator).evidence.reviewFile({
				findingId: finding.id,
				evidenceId: first.id,
				verdict: 'accepted',
				note: ''
			})
		);
		expect(frozen.code).toBe('CONFLICT');
		expect(frozen.refusal.messageKey).toBe('evidence_review_submission_judged');
		const judged = await callerFor(app, world.evaluator).workflow.detail({ id: finding.id });
		expect(judged.mayReviewFiles).toBe(false);

		const signed = await newEvidenceFile(t, world, finding.id, world.orgUser.userId, 'signed.pdf');
		const again = await callerFor(app, world.orgUser).workflow.submitEvidence({
			findingId: finding.id,
			version: rejected.version,
			note: ''
		});
		await callerFor(app, world.evaluator).evidence.reviewFile({
			findingId: finding.id,
			evidenceId: signed.id,
			verdict: 'accepted',
			note: ''
		});
		const closed = await callerFor(app, world.evaluator).workflow.reviewEvidence({
			findingId: finding.id,
			version: again.version,
			verdict: 'verify_effective',
			comment: ''
		});
		expect(closed.status).toBe('closed');
		const detail = await callerFor(app, world.orgUser).workflow.detail({ id: finding.id });
		expect(detail.submissions.map((s) => s.verdict)).toEqual(['effective', 'not_effective']);
		expect(detail.submissions[0]!.files[0]!.review?.verdict).toBe('accepted');
		expect(detail.submissions[1]!.files[0]!.review?.verdict).toBe('rejected');
	});

	it('lets the organisation remove a file before submitting, audited, and leaves it out of the submission', async () => {
		const finding = await newFinding(t, world, {
			reference: 'NC-REMOVE',
			status: 'action_in_progress'
		});
		const keep = await newEvidenceFile(t, world, finding.id, world.orgUser.userId, 'keep.pdf');
		const wrong = await newEvidenceFile(t, world, finding.id, world.orgUser.userId, 'wrong.pdf');
		const input = { findingId: finding.id, evidenceId: wrong.id };

		// Nobody but the organisation removes it; other organisations and bodies do not see it.
		const evaluator = await refusalOf(callerFor(app, world.evaluator).evidence.removeFile(input));
		expect(evaluator.code).toBe('FORBIDDEN');
		expect(evaluator.refusal.messageKey).toBe('evidence_remove_refused_role');
		for (const stranger of [world.otherOrgUser, otherWorld.orgUser]) {
			const refused = await refusalOf(callerFor(app, stranger).evidence.removeFile(input));
			expect(refused.code).toBe('NOT_FOUND');
		}

		await callerFor(app, world.orgUser).evidence.removeFile(input);
		const removed = await t.owner
			.selectFrom('evidence')
			.select(['removed_at', 'removed_by'])
			.where('id', '=', wrong.id)
			.executeTakeFirstOrThrow();
		expect(removed.removed_at).not.toBeNull();
		expect(removed.removed_by).toBe(world.orgUser.userId);
		const audit = (await auditOf(t, finding.id)).find((a) => a.action === 'evidence.remove');
		expect(json(audit?.before)).toMatchObject({
			evidence_id: wrong.id,
			original_name: 'wrong.pdf'
		});

		// Gone from the page, from downloads, and from the submission; removing it twice is not found.
		const detail = await callerFor(app, world.orgUser).workflow.detail({ id: finding.id });
		expect(detail.pendingFiles.map((f) => f.id)).toEqual([keep.id]);
		expect(detail.mayRemoveFiles).toBe(true);
		const download = await refusalOf(
			openEvidenceForDownload(t.db, world.evaluator, wrong.id, storage)
		);
		expect(download.code).toBe('NOT_FOUND');
		const twice = await refusalOf(callerFor(app, world.orgUser).evidence.removeFile(input));
		expect(twice.code).toBe('NOT_FOUND');

		await callerFor(app, world.orgUser).workflow.submitEvidence({
			findingId: finding.id,
			version: finding.version,
			note: ''
		});
		const forReviewer = await callerFor(app, world.evaluator).workflow.detail({ id: finding.id });
		expect(forReviewer.submissions[0]!.files.map((f) => f.originalName)).toEqual(['keep.pdf']);

		// A submitted file can no longer be taken back.
		const late = await refusalOf(
			callerFor(app, world.orgUser).evidence.removeFile({
				findingId: finding.id,
				evidenceId: keep.id
			})
		);
		expect(late.code).toBe('CONFLICT');
		expect(late.refusal.messageKey).toBe('evidence_remove_submitted');
		expect(translate(late.refusal.messageKey, 'en')).toBe(
			'This file has been submitted for review and can no longer be removed.'
		);
		expect(translate(late.refusal.messageKey, 'zh-CN')).toBe('该文件已提交审核，不能再移除。');
		const still = await t.owner
			.selectFrom('evidence')
			.select('removed_at')
			.where('id', '=', keep.id)
			.executeTakeFirstOrThrow();
		expect(still.removed_at).toBeNull();
	});

	it('refuses submitting when the only file was removed and there is no note', async () => {
		const finding = await newFinding(t, world, {
			reference: 'NC-REMOVE-ALL',
			status: 'action_in_progress'
		});
		const only = await newEvidenceFile(t, world, finding.id, world.orgUser.userId);
		await callerFor(app, world.orgUser).evidence.removeFile({
			findingId: finding.id,
			evidenceId: only.id
		});
		const refused = await refusalOf(
			callerFor(app, world.orgUser).workflow.submitEvidence({
				findingId: finding.id,
				version: finding.version,
				note: ''
			})
		);
		expect(refused.code).toBe('BAD_REQUEST');
		expect(refused.refusal.messageKey).toBe('findings_evidence_empty');
	});

	/** A stored file of the given bytes and sniffed type on a finding of the world. */
	async function storedFile(bytes: Buffer, detectedType: string, name: string) {
		const finding = await newFinding(t, world, { status: 'action_in_progress' });
		const { sha256, size } = await storage.put(Readable.from([bytes]), { maxBytes: 1 << 20 });
		const file = await t.db.inTenant(
			{ tenantId: world.tenantId, userId: world.orgUser.userId },
			(tx) =>
				tx
					.insertInto('evidence')
					.values({
						tenant_id: world.tenantId,
						finding_id: finding.id,
						sha256,
						size_bytes: size,
						// What the uploader's browser claimed; the stored (sniffed) type decides.
						declared_type: 'image/png',
						detected_type: detectedType,
						original_name: name,
						uploaded_by: world.orgUser.userId,
						effective_from: '2026-11-20'
					})
					.returning('id')
					.executeTakeFirstOrThrow()
		);
		return file;
	}

	it('previews only images and PDF, by the stored type, with the sandboxing headers', async () => {
		const cases: [Buffer, string, string][] = [
			[PNG_BYTES, 'image/png', 'site.png'],
			[JPEG_BYTES, 'image/jpeg', 'site.jpg'],
			[GIF_BYTES, 'image/gif', 'site.gif'],
			[WEBP_BYTES, 'image/webp', 'site.webp'],
			[PDF_BYTES, 'application/pdf', '规则.pdf']
		];
		for (const [bytes, type, name] of cases) {
			const file = await storedFile(bytes, type, name);
			const preview = await openEvidenceForPreview(t.db, world.evaluator, file.id, storage);
			if ('unsupported' in preview) throw new Error(`${type} should preview`);
			preview.stream.destroy();
			expect(preview.headers).toEqual({
				'content-type': type,
				'content-length': String(bytes.length),
				'content-disposition': expect.stringMatching(/^inline; filename=/),
				'x-content-type-options': 'nosniff',
				'content-security-policy':
					"sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'",
				'x-frame-options': 'SAMEORIGIN',
				'cache-control': 'private, no-store',
				'cross-origin-resource-policy': 'same-origin'
			});
		}
		// Text, archives: never inline, whatever the uploader's browser claimed (image/png above).
		for (const [bytes, type] of [
			[TEXT_BYTES, 'text/plain'],
			[ZIP_BYTES, 'application/zip']
		] as const) {
			const file = await storedFile(bytes, type, 'notes.txt');
			const preview = await openEvidenceForPreview(t.db, world.evaluator, file.id, storage);
			expect(preview).toMatchObject({ unsupported: true, evidence: { id: file.id } });
			// …while the download still works.
			const download = await openEvidenceForDownload(t.db, world.evaluator, file.id, storage);
			download.stream.destroy();
			expect(download.headers['content-disposition']).toMatch(/^attachment;/);
		}
	});

	it('previews for exactly the people who may download: not another organisation or body', async () => {
		const file = await storedFile(PNG_BYTES, 'image/png', 'gate.png');
		for (const actor of [world.evaluator, world.admin, world.orgUser, offTeam]) {
			const preview = await openEvidenceForPreview(t.db, actor, file.id, storage);
			if ('stream' in preview) preview.stream.destroy();
			expect('unsupported' in preview).toBe(false);
		}
		for (const stranger of [world.otherOrgUser, otherWorld.evaluator, otherWorld.orgUser]) {
			const refused = await refusalOf(openEvidenceForPreview(t.db, stranger, file.id, storage));
			expect(refused.code).toBe('NOT_FOUND');
		}
		const bad = await refusalOf(openEvidenceForPreview(t.db, world.evaluator, 'nope', storage));
		expect(bad.code).toBe('NOT_FOUND');
	});
});
