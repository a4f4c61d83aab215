import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import {
	newCertificate,
	newEvaluation,
	newFinding,
	newWorkflowWorld,
	type WorkflowWorld
} from '../support/workflow-factories';
import { translate } from '../../src/lib/server/i18n/translate';
import {
	reviewEvidence,
	reviewResponse,
	submitEvidence,
	submitResponse
} from '../../src/lib/server/services/finding-workflow';
import { changeFindingDueDate } from '../../src/lib/server/services/findings';
import { issueEvaluationReport } from '../../src/lib/server/services/evaluations';
import { takeDecision } from '../../src/lib/server/services/decisions';

/*
 * The event messages of SPEC §4 (issue 7 §2), on PostgreSQL and PGlite: each transition writes
 * exactly its outbox rows — the right people, template, language and link — in its own
 * transaction, and a refused one writes none.
 */

const CONTACT = 'contact-en@example.test';

describe.each(DIALECTS)('event messages (%s)', (kind) => {
	let t: TestDatabase;
	let world: WorkflowWorld;

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		world = await newWorkflowWorld(t);
		await t.db.inTenant({ tenantId: world.tenantId, userId: null }, async (tx) => {
			await tx
				.insertInto('contacts')
				.values([
					{
						tenant_id: world.tenantId,
						organisation_id: world.organisationId,
						name: 'Contact EN',
						email: CONTACT,
						locale: 'en',
						receives_reminders: true
					},
					{
						tenant_id: world.tenantId,
						organisation_id: world.organisationId,
						name: '不收提醒',
						email: 'quiet@example.test',
						locale: 'zh-CN',
						receives_reminders: false
					}
				])
				.execute();
		});
	});

	afterAll(async () => {
		await t?.drop();
	});

	const outboxFor = async (entityId: string) =>
		(
			await t.owner
				.selectFrom('outbox')
				.select(['to_email', 'locale', 'subject', 'template', 'link'])
				.where('dedupe_key', 'like', `%${entityId}%`)
				.execute()
		).sort((a, b) => a.to_email.localeCompare(b.to_email));

	const org = () => [CONTACT, world.orgUser.email].sort();

	it('report issued: the organisation hears how many to answer and the earliest due date', async () => {
		const evaluationId = await newEvaluation(t, world, { status: 'in_progress' });
		await newFinding(t, world, { evaluationId, dueOn: '2027-01-20' });
		await newFinding(t, world, { evaluationId, dueOn: '2027-01-10', grade: 'minor' });
		await newFinding(t, world, { evaluationId, kind: 'observation' });
		// A stale version is refused, and writes nothing.
		await expect(issueEvaluationReport(t.db, world.evaluator, evaluationId, 99)).rejects.toThrow();
		expect(await outboxFor(evaluationId)).toEqual([]);

		const version = (
			await t.owner
				.selectFrom('evaluations')
				.select('version')
				.where('id', '=', evaluationId)
				.executeTakeFirstOrThrow()
		).version;
		await issueEvaluationReport(t.db, world.evaluator, evaluationId, version);
		const rows = await outboxFor(evaluationId);
		expect(rows.map((row) => row.to_email)).toEqual(org());
		expect(rows.every((row) => row.template === 'report.issued')).toBe(true);
		const params = { organisation: '', count: 2, dueOn: '2027-01-10' };
		const english = rows.find((row) => row.to_email === CONTACT)!;
		expect(english).toMatchObject({
			locale: 'en',
			subject: translate('chase_mail_report_issued_subject', 'en', params)
		});
		const chinese = rows.find((row) => row.to_email === world.orgUser.email)!;
		expect(chinese).toMatchObject({
			locale: 'zh-CN',
			subject: translate('chase_mail_report_issued_subject', 'zh-CN', params)
		});
		// The link opens the organisation's own list of what to answer, a page its people may open.
		for (const row of rows) expect(new URL(row.link).pathname).toBe('/my-actions');
	});

	it('the life cycle: each step tells the other side, on the finding page', async () => {
		const finding = await newFinding(t, world);
		const step = { findingId: finding.id };
		const expectLast = async (template: string, to: string[]) => {
			const rows = (await outboxFor(finding.id)).filter((row) => row.template === template);
			expect(rows.map((row) => row.to_email)).toEqual(to.sort());
			for (const row of rows) expect(row.link).toMatch(new RegExp(`/findings/${finding.id}$`));
			return rows;
		};
		const response = {
			correction: '回访客户。',
			rootCause: '派工规则不当。',
			correctiveAction: '修订派工规则。',
			owner: '服务部经理',
			targetOn: '2026-11-30'
		};
		// Stale: refused, nothing written.
		await expect(
			submitResponse(t.db, world.orgUser, { ...step, version: 9, ...response })
		).rejects.toThrow();
		expect(await outboxFor(finding.id)).toEqual([]);

		let v = (await submitResponse(t.db, world.orgUser, { ...step, version: 1, ...response }))
			.version;
		await expectLast('finding.response_submitted', [world.evaluator.email]);

		v = (
			await reviewResponse(t.db, world.evaluator, {
				...step,
				version: v,
				verdict: 'reject',
				comment: 'Root cause too vague.'
			})
		).version;
		const back = await expectLast('finding.plan_sent_back', org());
		expect(back.find((row) => row.to_email === CONTACT)!.subject).toBe(
			translate('chase_mail_finding_plan_sent_back_subject', 'en', {
				reference: finding.reference,
				comment: 'Root cause too vague.'
			})
		);
		expect(back.find((row) => row.to_email === world.orgUser.email)!.locale).toBe('zh-CN');

		v = (await submitResponse(t.db, world.orgUser, { ...step, version: v, ...response })).version;
		expect(
			(await outboxFor(finding.id)).filter((r) => r.template === 'finding.response_submitted')
		).toHaveLength(2);
		v = (
			await reviewResponse(t.db, world.evaluator, {
				...step,
				version: v,
				verdict: 'accept',
				comment: ''
			})
		).version;
		await expectLast('finding.plan_accepted', org());

		v = (await submitEvidence(t.db, world.orgUser, { ...step, version: v, note: '附记录。' }))
			.version;
		await expectLast('finding.evidence_submitted', [world.evaluator.email]);
		v = (
			await reviewEvidence(t.db, world.evaluator, {
				...step,
				version: v,
				verdict: 'reject_evidence',
				comment: 'Records missing.'
			})
		).version;
		await expectLast('finding.evidence_rejected', org());
		v = (await submitEvidence(t.db, world.orgUser, { ...step, version: v, note: '补充记录。' }))
			.version;
		// A refused review (stale) adds nothing.
		const before = (await outboxFor(finding.id)).length;
		await expect(
			reviewEvidence(t.db, world.evaluator, {
				...step,
				version: v - 1,
				verdict: 'verify_effective',
				comment: ''
			})
		).rejects.toThrow();
		expect(await outboxFor(finding.id)).toHaveLength(before);
		await reviewEvidence(t.db, world.evaluator, {
			...step,
			version: v,
			verdict: 'verify_effective',
			comment: ''
		});
		await expectLast('finding.evidence_verified', org());
		// Two of each organisation message, one per recipient; the lead got three.
		expect(await outboxFor(finding.id)).toHaveLength(before + 2);
	});

	it('due date changed: the organisation hears the old and new date and why', async () => {
		const finding = await newFinding(t, world, { dueOn: '2026-12-03' });
		await expect(
			changeFindingDueDate(t.db, world.evaluator, finding.id, 7, {
				dueOn: '2026-12-20',
				reason: '供应商延迟。'
			})
		).rejects.toThrow();
		expect(await outboxFor(finding.id)).toEqual([]);
		await changeFindingDueDate(t.db, world.evaluator, finding.id, 1, {
			dueOn: '2026-12-20',
			reason: 'Supplier delay.'
		});
		const rows = await outboxFor(finding.id);
		expect(rows.map((row) => [row.to_email, row.template, row.locale])).toEqual(
			org().map((email) => [email, 'finding.due_changed', email === CONTACT ? 'en' : 'zh-CN'])
		);
		expect(rows[0]!.link).toMatch(new RegExp(`/findings/${finding.id}$`));
	});

	it('decision taken: the organisation admins and reminder contacts hear it', async () => {
		const certificateId = await newCertificate(t, world);
		const input = {
			certificateId,
			evaluationId: null,
			kind: 'suspend' as const,
			reason: '严重不符合逾期未整改。'
		};
		await expect(takeDecision(t.db, world.decider, { ...input, version: 5 })).rejects.toThrow();
		expect(await outboxFor(certificateId)).toEqual([]);
		await takeDecision(t.db, world.decider, { ...input, version: 1 });
		const rows = await outboxFor(certificateId);
		expect(rows.map((row) => [row.to_email, row.template, row.locale])).toEqual(
			org().map((email) => [
				email,
				'certificate.decision_taken',
				email === CONTACT ? 'en' : 'zh-CN'
			])
		);
		expect(rows[0]!.link).toMatch(new RegExp(`/certificates/${certificateId}$`));
	});
});
