import type { TestDatabase } from './databases';
import { newMembership, newOrganisation, newPerson } from './factories';
import { recordAudit } from '../../src/lib/server/repositories/audit';

/**
 * One row in every tenant-owned table of `tenantId`, written through the app's tenant scope, so
 * an isolation test can look for them from another tenant.
 */
export async function populateTenant(t: TestDatabase, tenantId: string) {
	const person = await newPerson(t);
	const organisation = await newOrganisation(t, tenantId);
	await newMembership(t, tenantId, person.id, 'org_admin', organisation.id);
	await t.db.inTenant({ tenantId, userId: person.id }, async (tx) => {
		const base = { tenant_id: tenantId };
		await tx
			.insertInto('contacts')
			.values({
				...base,
				organisation_id: organisation.id,
				name: 'Contact',
				email: 'c@example.test'
			})
			.execute();
		const scale = await tx
			.insertInto('grade_scales')
			.values({ ...base, name_zh: '星级', name_en: 'Stars' })
			.returning('id')
			.executeTakeFirstOrThrow();
		const grade = await tx
			.insertInto('grade_levels')
			.values({
				...base,
				grade_scale_id: scale.id,
				rank: 1,
				code: '5',
				label_zh: '五星',
				label_en: 'Five'
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		const standard = await tx
			.insertInto('standards')
			.values({ ...base, code: 'GB/T 27922-2011', title_zh: '售后服务', grade_scale_id: scale.id })
			.returning('id')
			.executeTakeFirstOrThrow();
		const clause = await tx
			.insertInto('clauses')
			.values({
				...base,
				standard_id: standard.id,
				number: '4.1',
				title_zh: '条款',
				sort_key: '4.1'
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await tx
			.insertInto('scheme_rules')
			.values({ ...base, standard_id: standard.id })
			.execute();
		const certificate = await tx
			.insertInto('certificates')
			.values({
				...base,
				number: 'C-1',
				organisation_id: organisation.id,
				standard_id: standard.id,
				scope: 'scope',
				grade_level_id: grade.id,
				issued_on: '2026-01-01',
				expires_on: '2028-12-31',
				decided_on: '2026-01-01'
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		const complaint = await tx
			.insertInto('complaints')
			.values({
				...base,
				certificate_id: certificate.id,
				complainant_name: 'Someone',
				complainant_email: 's@example.test',
				body: 'complaint'
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		const evaluation = await tx
			.insertInto('evaluations')
			.values({
				...base,
				kind: 'special',
				certificate_id: certificate.id,
				organisation_id: organisation.id,
				standard_id: standard.id,
				window_start: '2026-06-01',
				window_end: '2026-06-02',
				complaint_id: complaint.id
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await tx
			.insertInto('evaluation_team_members')
			.values({ ...base, evaluation_id: evaluation.id, user_id: person.id, team_role: 'lead' })
			.execute();
		const finding = await tx
			.insertInto('findings')
			.values({
				...base,
				evaluation_id: evaluation.id,
				reference: 'NC-1',
				kind: 'nonconformity',
				grade: 'major',
				clause_id: clause.id,
				statement: 'statement',
				raised_by: person.id,
				raised_on: '2026-06-02',
				due_on: '2026-07-02'
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await tx
			.insertInto('finding_due_changes')
			.values({
				...base,
				finding_id: finding.id,
				from_due_on: '2026-07-02',
				to_due_on: '2026-07-09',
				reason: 'holiday',
				changed_by: person.id
			})
			.execute();
		const response = await tx
			.insertInto('responses')
			.values({
				...base,
				finding_id: finding.id,
				correction: 'fix',
				root_cause: 'cause',
				corrective_action: 'action',
				action_owner: 'owner',
				target_on: '2026-07-01',
				submitted_by: person.id
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		const submission = await tx
			.insertInto('evidence_submissions')
			.values({
				...base,
				finding_id: finding.id,
				response_id: response.id,
				submitted_by: person.id
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await tx
			.insertInto('evidence')
			.values({
				...base,
				finding_id: finding.id,
				submission_id: submission.id,
				sha256: 'a'.repeat(64),
				size_bytes: 10,
				detected_type: 'application/pdf',
				original_name: 'evidence.pdf',
				uploaded_by: person.id,
				effective_from: '2026-06-20'
			})
			.execute();
		const decision = await tx
			.insertInto('decisions')
			.values({
				...base,
				evaluation_id: evaluation.id,
				certificate_id: certificate.id,
				kind: 'maintain',
				reason: 'fine',
				decided_by: person.id,
				decided_on: '2026-07-10'
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await tx
			.insertInto('certificate_history')
			.values({
				...base,
				certificate_id: certificate.id,
				decision_id: decision.id,
				change: 'status',
				from_status: 'active',
				to_status: 'active',
				effective_on: '2026-07-10',
				recorded_by: person.id
			})
			.execute();
		const obligation = await tx
			.insertInto('recurring_obligations')
			.values({
				...base,
				organisation_id: organisation.id,
				title_zh: '派工单记录',
				cadence: 'monthly',
				due_day: 2,
				starts_on: '2026-01-01'
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await tx
			.insertInto('obligation_due_items')
			.values({
				...base,
				obligation_id: obligation.id,
				period_start: '2026-01-01',
				period_end: '2026-01-31',
				due_on: '2026-02-02'
			})
			.execute();
		await tx
			.insertInto('outbox')
			.values({
				...base,
				dedupe_key: 'k-1',
				template: 'test',
				to_email: 'c@example.test',
				locale: 'zh-CN',
				subject: 's',
				text_body: 't',
				html_body: '<p>t</p>'
			})
			.execute();
		// Writes audit_log and, through its trigger, audit_chain_heads.
		await recordAudit(tx, {
			tenantId,
			actorUserId: person.id,
			action: 'test.populate',
			entityType: 'organisation',
			entityId: organisation.id,
			after: { ok: true }
		});
	});
	return { person, organisation };
}
