import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPCError } from '@trpc/server';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { callerFor, testApp } from '../support/factories';
import {
	auditOf,
	newEvidenceFile,
	newFinding,
	newWorkflowWorld,
	type WorkflowWorld
} from '../support/workflow-factories';
import { Refusal } from '../../src/lib/server/errors';
import { translate } from '../../src/lib/server/i18n/translate';
import { verifyEvidence } from '../../jobs/evidence-verify/verify';
import { checkVerifyEffective } from '../../src/lib/server/domain/evidence-integrity';
import type { App } from '../../src/lib/server/app';

/*
 * Issue 7 §4 on the reviewer's side: what the evidence verification job found blocks "verify
 * effective" (a rejected file; an unchecked one does not), is shown on the finding's evidence
 * lists, and a tenant-wide duplicate is shown to the body's reviewers. The job runs for real
 * against an empty evidence directory, so the stored bytes it looks for are missing.
 */

async function refusalOf(call: Promise<unknown>) {
	try {
		await call;
	} catch (error) {
		if (error instanceof TRPCError && error.cause instanceof Refusal)
			return { code: error.code, refusal: error.cause };
		throw error;
	}
	throw new Error('expected the call to be refused');
}

describe('the verify-effective rule (domain)', () => {
	it('blocks on a rejected file, counts unchecked ones without blocking', () => {
		expect(checkVerifyEffective([])).toEqual({ ok: true, unchecked: 0 });
		expect(
			checkVerifyEffective([{ integrityStatus: 'verified' }, { integrityStatus: 'pending' }])
		).toEqual({ ok: true, unchecked: 1 });
		expect(
			checkVerifyEffective([
				{ integrityStatus: 'rejected' },
				{ integrityStatus: 'pending' },
				{ integrityStatus: 'rejected' }
			])
		).toEqual({ ok: false, reason: 'integrity_rejected', rejected: 2 });
	});
});

describe.each(DIALECTS)('evidence integrity in review (%s)', (kind) => {
	let t: TestDatabase;
	let app: App;
	let world: WorkflowWorld;
	let evidenceDir: string;

	/** A finding with evidence awaiting review, its one file attached to the open submission. */
	async function submittedFinding(reference: string) {
		const finding = await newFinding(t, world, { reference, status: 'action_in_progress' });
		const file = await newEvidenceFile(t, world, finding.id, world.orgUser.userId, 'rules.pdf');
		const step = await callerFor(app, world.orgUser).workflow.submitEvidence({
			findingId: finding.id,
			version: finding.version,
			note: '附修订后的派工规则。'
		});
		return { finding, file, version: step.version };
	}

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		app = testApp(t);
		world = await newWorkflowWorld(t);
		evidenceDir = await mkdtemp(join(tmpdir(), 'certtrack-integrity-'));
	});

	afterAll(async () => {
		await t?.drop();
		if (evidenceDir) await rm(evidenceDir, { recursive: true, force: true });
	});

	it('refuses "verify effective" while a file of the submission failed the check, changing nothing', async () => {
		const { finding, file, version } = await submittedFinding('NC-MISMATCH');
		const checked = await verifyEvidence(t.db, evidenceDir, world.tenantId, file.id);
		expect(checked).toMatchObject({ status: 'rejected', problem: 'missing' });
		const auditBefore = (await auditOf(t, finding.id)).length;

		const refused = await refusalOf(
			callerFor(app, world.evaluator).workflow.reviewEvidence({
				findingId: finding.id,
				version,
				verdict: 'verify_effective',
				comment: ''
			})
		);
		expect(refused.code).toBe('CONFLICT');
		expect(refused.refusal.messageKey).toBe('chase_refused_verify_integrity');
		expect(translate(refused.refusal.messageKey, 'en', refused.refusal.params)).toMatch(
			/^A file of this submission failed the integrity check/
		);
		expect(translate(refused.refusal.messageKey, 'zh-CN', refused.refusal.params)).toContain(
			'1 个文件未通过完整性检查'
		);

		const row = await t.owner
			.selectFrom('findings')
			.select(['status', 'version'])
			.where('id', '=', finding.id)
			.executeTakeFirstOrThrow();
		expect(row).toEqual({ status: 'evidence_submitted', version });
		const submission = await t.owner
			.selectFrom('evidence_submissions')
			.select('verdict')
			.where('finding_id', '=', finding.id)
			.executeTakeFirstOrThrow();
		expect(submission.verdict).toBeNull();
		expect((await auditOf(t, finding.id)).length).toBe(auditBefore);
	});

	it('still lets the reviewer reject the evidence, saying why', async () => {
		const { finding, file, version } = await submittedFinding('NC-MISMATCH-REJECT');
		await verifyEvidence(t.db, evidenceDir, world.tenantId, file.id);
		const step = await callerFor(app, world.evaluator).workflow.reviewEvidence({
			findingId: finding.id,
			version,
			verdict: 'reject_evidence',
			comment: '文件损坏，请重新上传。'
		});
		expect(step.status).toBe('action_in_progress');
	});

	it('lets an unchecked (pending) file be verified effective, and says it is unchecked', async () => {
		const { finding, version } = await submittedFinding('NC-PENDING');
		const detail = await callerFor(app, world.evaluator).workflow.detail({ id: finding.id });
		expect(detail.submissions[0]!.verifyCheck).toEqual({ ok: true, unchecked: 1 });
		expect(detail.submissions[0]!.files[0]).toMatchObject({
			integrityStatus: 'pending',
			integrityProblem: null
		});
		const step = await callerFor(app, world.evaluator).workflow.reviewEvidence({
			findingId: finding.id,
			version,
			verdict: 'verify_effective',
			comment: ''
		});
		expect(step.status).toBe('closed');
	});

	it('shows a rejected file on the finding, with the problem, to both sides', async () => {
		const { finding, file } = await submittedFinding('NC-SHOWN');
		await verifyEvidence(t.db, evidenceDir, world.tenantId, file.id);
		for (const actor of [world.evaluator, world.orgUser]) {
			const detail = await callerFor(app, actor).workflow.detail({ id: finding.id });
			expect(detail.submissions[0]!.files).toEqual([
				expect.objectContaining({
					id: file.id,
					integrityStatus: 'rejected',
					integrityProblem: 'missing'
				})
			]);
			expect(detail.submissions[0]!.verifyCheck).toEqual({
				ok: false,
				reason: 'integrity_rejected',
				rejected: 1
			});
		}
		// A file rejected before it was submitted stays out of the next submission but is listed.
		const again = await newEvidenceFile(t, world, finding.id, world.orgUser.userId, 'again.pdf');
		await verifyEvidence(t.db, evidenceDir, world.tenantId, again.id);
		const detail = await callerFor(app, world.orgUser).workflow.detail({ id: finding.id });
		expect(detail.pendingFiles).toEqual([
			expect.objectContaining({ id: again.id, integrityStatus: 'rejected' })
		]);
	});

	it('shows a tenant-wide duplicate to the reviewer, not to the organisation', async () => {
		const earlier = await newFinding(t, world, { reference: 'NC-ORIGINAL' });
		const original = await newEvidenceFile(t, world, earlier.id, world.orgUser.userId, 'a.pdf');
		const { finding, file } = await submittedFinding('NC-COPY');
		await t.owner
			.updateTable('evidence')
			.set({ sha256: original.sha256 })
			.where('id', '=', file.id)
			.execute();
		const checked = await verifyEvidence(t.db, evidenceDir, world.tenantId, file.id);
		expect(checked?.duplicateOfId).toBe(original.id);

		const forReviewer = await callerFor(app, world.evaluator).workflow.detail({ id: finding.id });
		expect(forReviewer.submissions[0]!.files[0]!.duplicateOf).toEqual({
			findingId: earlier.id,
			reference: 'NC-ORIGINAL',
			name: 'a.pdf'
		});
		const forOrganisation = await callerFor(app, world.orgUser).workflow.detail({
			id: finding.id
		});
		expect(forOrganisation.submissions[0]!.files[0]!.duplicateOf).toBeNull();
	});
});
