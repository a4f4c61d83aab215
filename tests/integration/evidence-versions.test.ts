import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { callerFor, testApp } from '../support/factories';
import {
	auditOf,
	json,
	newFinding,
	newWorkflowWorld,
	type WorkflowWorld
} from '../support/workflow-factories';
import { PDF_BYTES } from '../support/evidence-factories';
import { Refusal } from '../../src/lib/server/errors';
import { LocalDiskStorage } from '../../src/lib/server/evidence/storage';
import { handleEvidenceUpload } from '../../src/lib/server/evidence/upload';
import { openEvidenceForDownload } from '../../src/lib/server/services/evidence';
import type { Actor } from '../../src/lib/server/actor';
import type { App } from '../../src/lib/server/app';

/*
 * Issue 12 item 9: a new upload replaces an earlier evidence file (supersedes_id). The new file
 * supersedes it; the old one is kept, opens, and is listed as an earlier version (name, size,
 * uploaded when and by whom) to the reviewer; a superseded file is not current evidence (not
 * submitted, not in the pending list). Only the finding's organisation may replace, only a
 * current file of the same finding, one file at a time, while evidence may still be added;
 * another tenant's file is not found. Refusals leave no row.
 */

const ORIGIN = 'http://localhost';

async function refusalOf(call: Promise<unknown>) {
	try {
		await call;
	} catch (error) {
		if (error instanceof TRPCError && error.cause instanceof Refusal)
			return { kind: error.cause.kind, key: error.cause.messageKey };
		if (error instanceof Refusal) return { kind: error.kind, key: error.messageKey };
		throw error;
	}
	throw new Error('expected the call to be refused');
}

describe.each(DIALECTS)('evidence versions (%s)', (kind) => {
	let t: TestDatabase;
	let app: App;
	let world: WorkflowWorld;
	let other: WorkflowWorld;
	let dir: string;
	let storage: LocalDiskStorage;

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		app = testApp(t);
		world = await newWorkflowWorld(t);
		other = await newWorkflowWorld(t);
		dir = await mkdtemp(join(tmpdir(), 'certtrack-evidence-versions-'));
		storage = new LocalDiskStorage(dir);
	});

	afterAll(async () => {
		await t?.drop();
		if (dir) await rm(dir, { recursive: true, force: true });
	});

	/** Uploads PDFs to the finding as `actor`, the first field naming the file replaced. */
	async function upload(actor: Actor, findingId: string, names: string[], supersedes?: string) {
		const form = new FormData();
		if (supersedes) form.append('supersedes', supersedes);
		for (const name of names)
			form.append(
				'files',
				new File([new Uint8Array(Buffer.concat([PDF_BYTES, randomBytes(64)]))], name, {
					type: 'application/pdf'
				})
			);
		return handleEvidenceUpload({
			request: new Request(`${ORIGIN}/api/evidence/${findingId}`, {
				method: 'POST',
				body: form,
				headers: { origin: ORIGIN }
			}),
			app,
			actor,
			findingId,
			locale: 'en',
			storage
		});
	}

	async function uploaded(actor: Actor, findingId: string, name: string, supersedes?: string) {
		const response = await upload(actor, findingId, [name], supersedes);
		expect(response.status).toBe(200);
		expect(response.body.files[0]!.ok).toBe(true);
		return response.body.files[0]!.evidenceId!;
	}

	const rowsOf = (findingId: string) =>
		t.owner
			.selectFrom('evidence')
			.select(['id', 'original_name', 'supersedes_id', 'submission_id', 'removed_at'])
			.where('finding_id', '=', findingId)
			.orderBy('uploaded_at')
			.execute();

	const inProgress = () => newFinding(t, world, { status: 'action_in_progress' });

	it('records the new file as superseding the old, keeps the old, audits the replacement', async () => {
		const finding = await inProgress();
		const first = await uploaded(world.orgUser, finding.id, 'dispatch-rules.pdf');
		const second = await uploaded(world.orgUser, finding.id, 'dispatch-rules-v2.pdf', first);
		expect(await rowsOf(finding.id)).toMatchObject([
			{ id: first, supersedes_id: null, removed_at: null },
			{ id: second, supersedes_id: first, removed_at: null }
		]);
		const audit = (await auditOf(t, finding.id)).filter((a) => a.action === 'evidence.upload');
		expect(json(audit.at(-1)!.after)).toMatchObject({
			evidence_id: second,
			supersedes_id: first,
			supersedes_name: 'dispatch-rules.pdf'
		});
	});

	it('lists only the current version as evidence, with its earlier versions, and submits only it', async () => {
		const finding = await inProgress();
		const first = await uploaded(world.orgUser, finding.id, 'roster.pdf');
		const second = await uploaded(world.orgUser, finding.id, 'roster-v2.pdf', first);
		const third = await uploaded(world.orgUser, finding.id, 'roster-v3.pdf', second);
		const other = await uploaded(world.orgUser, finding.id, 'photo.pdf');

		const mine = await callerFor(app, world.orgUser).workflow.detail({ id: finding.id });
		expect(mine.pendingFiles.map((f) => f.id)).toEqual([third, other]);
		expect(mine.pendingFiles[0]!.earlierVersions.map((v) => v.id)).toEqual([second, first]);
		expect(mine.pendingFiles.every((f) => f.mayReplace)).toBe(true);

		const step = await callerFor(app, world.orgUser).workflow.submitEvidence({
			findingId: finding.id,
			version: finding.version,
			note: ''
		});
		expect(step).toBeTruthy();
		const rows = await rowsOf(finding.id);
		const submittedIds = rows.filter((r) => r.submission_id !== null).map((r) => r.id);
		expect(submittedIds.sort()).toEqual([third, other].sort());

		// The reviewer sees the file with its versions: name, size, who uploaded it and when.
		const review = await callerFor(app, world.evaluator).workflow.detail({ id: finding.id });
		const [submission] = review.submissions;
		expect(submission!.files.map((f) => f.id)).toEqual([third, other]);
		const versions = submission!.files[0]!.earlierVersions;
		expect(versions.map((v) => v.originalName)).toEqual(['roster-v2.pdf', 'roster.pdf']);
		expect(versions[0]!.sizeBytes).toBe(PDF_BYTES.length + 64);
		expect(versions[0]!.uploadedByName).toBeTruthy();
		expect(versions[0]!.uploadedAt).toBeInstanceOf(Date);
		expect(submission!.files.every((f) => !f.mayReplace)).toBe(true);
		// …and can open an earlier version.
		const download = await openEvidenceForDownload(t.db, world.evaluator, first, storage);
		expect(download.evidence.originalName).toBe('roster.pdf');
		download.stream.destroy();

		// Submitted for verification: no more replacing.
		const late = await upload(world.orgUser, finding.id, ['roster-v4.pdf'], third);
		expect(late.status).toBe(403);
		expect((await rowsOf(finding.id)).length).toBe(4);
	});

	it('replaces a file of a rejected submission; the old stays in its submission, marked replaced', async () => {
		const finding = await inProgress();
		const first = await uploaded(world.orgUser, finding.id, 'plan.pdf');
		const submit = await callerFor(app, world.orgUser).workflow.submitEvidence({
			findingId: finding.id,
			version: finding.version,
			note: ''
		});
		const rejected = await callerFor(app, world.evaluator).workflow.reviewEvidence({
			findingId: finding.id,
			version: submit.version,
			verdict: 'reject_evidence',
			comment: '缺少签字页。'
		});
		expect(rejected).toBeTruthy();
		const second = await uploaded(world.orgUser, finding.id, 'plan-signed.pdf', first);
		const detail = await callerFor(app, world.evaluator).workflow.detail({ id: finding.id });
		expect(detail.submissions[0]!.files[0]).toMatchObject({ id: first, supersededById: second });
		expect(detail.pendingFiles.map((f) => [f.id, f.earlierVersions.map((v) => v.id)])).toEqual([
			[second, [first]]
		]);
	});

	it('refuses to replace an earlier version again, a file of another finding, or with two files', async () => {
		const finding = await inProgress();
		const elsewhere = await inProgress();
		const first = await uploaded(world.orgUser, finding.id, 'a.pdf');
		const foreign = await uploaded(world.orgUser, elsewhere.id, 'b.pdf');
		await uploaded(world.orgUser, finding.id, 'a-v2.pdf', first);
		const before = (await rowsOf(finding.id)).length;

		// Refused as the file's row is written: the answer names the file and why.
		const again = await upload(world.orgUser, finding.id, ['a-v3.pdf'], first);
		expect(again.body.files[0]).toMatchObject({ ok: false });
		expect(again.body.files[0]!.error).toMatch(/already been replaced/);

		const wrongFinding = await upload(world.orgUser, finding.id, ['c.pdf'], foreign);
		expect(wrongFinding.body.files[0]).toMatchObject({ ok: false });
		expect(wrongFinding.body.files[0]!.error).toMatch(/not evidence of this finding/);

		const notAnId = await upload(world.orgUser, finding.id, ['d.pdf'], 'not-a-uuid');
		expect(notAnId.status).toBe(404);

		const two = await upload(world.orgUser, finding.id, ['e.pdf', 'f.pdf'], foreign);
		expect(two.status).toBe(400);
		expect(two.body.error).toMatch(/one file/);

		expect((await rowsOf(finding.id)).length).toBe(before);
		expect((await rowsOf(elsewhere.id)).length).toBe(1);
	});

	it('lets only the finding’s organisation replace; another tenant’s file is not found', async () => {
		const finding = await inProgress();
		const first = await uploaded(world.orgUser, finding.id, 'x.pdf');
		for (const actor of [world.evaluator, world.admin]) {
			const response = await upload(actor, finding.id, ['x-v2.pdf'], first);
			expect(response.status).toBe(403);
		}
		// Another organisation of the same body does not even see the finding.
		expect((await upload(world.otherOrgUser, finding.id, ['x-v2.pdf'], first)).status).toBe(404);

		// Another body's file, named on one's own finding: invisible under RLS, so not found.
		const theirFinding = await newFinding(t, other, { status: 'action_in_progress' });
		const theirs = await uploaded(other.orgUser, theirFinding.id, 'theirs.pdf');
		const cross = await upload(world.orgUser, finding.id, ['y.pdf'], theirs);
		expect(cross.body.files[0]).toMatchObject({ ok: false });
		expect(cross.body.files[0]!.error).toMatch(/not evidence of this finding/);
		expect((await rowsOf(finding.id)).map((r) => r.id)).toEqual([first]);
		expect((await rowsOf(theirFinding.id)).map((r) => r.supersedes_id)).toEqual([null]);
	});

	it('keeps a replaced file: it cannot be taken back; taking back the new one makes the old current', async () => {
		const finding = await inProgress();
		const first = await uploaded(world.orgUser, finding.id, 'log.pdf');
		const second = await uploaded(world.orgUser, finding.id, 'log-v2.pdf', first);
		const evidence = callerFor(app, world.orgUser).evidence;
		expect(
			await refusalOf(evidence.removeFile({ findingId: finding.id, evidenceId: first }))
		).toEqual({ kind: 'CONFLICT', key: 'evidence_remove_superseded' });
		await evidence.removeFile({ findingId: finding.id, evidenceId: second });
		const detail = await callerFor(app, world.orgUser).workflow.detail({ id: finding.id });
		expect(detail.pendingFiles.map((f) => [f.id, f.supersededById, f.mayReplace])).toEqual([
			[first, null, true]
		]);
		// …and may be replaced again.
		await uploaded(world.orgUser, finding.id, 'log-v2b.pdf', first);
	});
});
