import { randomBytes } from 'node:crypto';
import type { TestDatabase } from './databases';
import { actorOf, newActor, newUscc, TEST_PASSWORD } from './factories';
import { DEFAULT_SCHEME_RULES } from '../../src/lib/server/domain/scheme-rules';
import { createStandard } from '../../src/lib/server/services/standards';
import { addClause } from '../../src/lib/server/services/clauses';
import {
	getScoringSheet,
	recordScores,
	updateScoringSheet
} from '../../src/lib/server/services/scoring';
import { createGradeScale } from '../../src/lib/server/services/grade-scales';
import { updateSchemeRules } from '../../src/lib/server/services/scheme-rules';
import { addContact, createOrganisation } from '../../src/lib/server/services/organisations';
import { addMember, answerMyInvitation } from '../../src/lib/server/services/members';
import { createCertificate } from '../../src/lib/server/services/certificates';
import {
	issueEvaluationReport,
	planEvaluation,
	startEvaluation
} from '../../src/lib/server/services/evaluations';
import { changeFindingDueDate, raiseFinding } from '../../src/lib/server/services/findings';
import {
	reviewResponse,
	submitEvidence,
	submitResponse
} from '../../src/lib/server/services/finding-workflow';
import { takeDecision } from '../../src/lib/server/services/decisions';
import { certificateDocument } from '../../src/lib/server/services/documents';
import { grantCertificate } from '../../src/lib/server/services/grant';
import {
	approveObjective,
	createCommitment,
	createObjective,
	createOutlet,
	recordMeasurement,
	updateObjective
} from '../../src/lib/server/services/service-system';

/**
 * One row (at least) in every tenant-owned table of `tenantId`, so an isolation test can look
 * for them from another tenant. Written the way the app writes them: through the services, as
 * the tenant's admin (who also runs the evaluation), its organisation admin and its decision
 * maker, each change with its audit entry (audit_log, audit_chain_heads). Raw inserts
 * only where no use case exists yet: the complaint, the uploaded evidence file (the upload
 * endpoint streams a request into storage), the recurring obligation and its due item, and the
 * outbox message.
 *
 * `person` is the organisation admin, a member of this tenant only.
 */
export async function populateTenant(t: TestDatabase, tenantId: string) {
	const admin = await newActor(t, tenantId, 'admin');
	const decider = await newActor(t, tenantId, 'decision_maker');
	const organisation = await createOrganisation(t.db, admin, {
		legalName: `Organisation ${tenantId.slice(0, 8)}`,
		uscc: newUscc(),
		address: 'Xiamen'
	});
	const added = await addMember(t.db, admin, {
		email: `org-${tenantId.slice(0, 8)}@example.test`,
		name: 'Organisation admin',
		password: TEST_PASSWORD,
		role: 'org_admin',
		organisationId: organisation.id
	});
	await answerMyInvitation(t.db, added.userId!, added.invitationId, 'accepted');
	const orgUser = await actorOf(t, tenantId, added.userId!);
	const person = await t.owner
		.selectFrom('users')
		.selectAll()
		.where('id', '=', added.userId!)
		.executeTakeFirstOrThrow();

	await addContact(t.db, admin, organisation.id, {
		name: 'Contact',
		email: 'c@example.test',
		locale: 'zh-CN',
		receivesReminders: true
	});
	const scale = await createGradeScale(t.db, admin, {
		nameZh: '星级',
		nameEn: 'Stars',
		levels: [{ code: '5', labelZh: '五星', labelEn: 'Five', minScore: null }]
	});
	const standard = await createStandard(t.db, admin, {
		code: 'GB/T 27922-2011',
		titleZh: '售后服务',
		gradeScaleId: scale.id
	});
	const clause = await addClause(t.db, admin, standard.id, { number: '4', titleZh: '条款' });
	await updateSchemeRules(t.db, admin, standard.id, 0, DEFAULT_SCHEME_RULES);
	// Writes certificate_history ('issued') too.
	const certificate = await createCertificate(t.db, admin, {
		number: 'C-1',
		organisationId: organisation.id,
		standardId: standard.id,
		scope: 'scope',
		gradeLevelId: scale.levels[0]!.id,
		issuedOn: '2026-01-01'
	});

	await t.db.inTenant({ tenantId, userId: admin.userId }, async (tx) => {
		const complaint = await tx
			.insertInto('complaints')
			.values({
				tenant_id: tenantId,
				reference: 'C-POPULATE',
				certificate_id: certificate.id,
				complainant_name: 'Someone',
				complainant_email: 's@example.test',
				body: 'complaint'
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await tx
			.insertInto('complaint_files')
			.values({
				tenant_id: tenantId,
				complaint_id: complaint.id,
				sha256: 'c'.repeat(64),
				size_bytes: 1,
				detected_type: 'text/plain',
				original_name: 'complaint.txt'
			})
			.execute();
	});

	const planned = await planEvaluation(t.db, admin, {
		kind: 'special',
		certificateId: certificate.id,
		windowStart: '2026-06-01',
		windowEnd: '2026-06-02',
		teamIds: [admin.userId],
		leadId: admin.userId
	});
	const started = await startEvaluation(t.db, admin, planned.id, planned.version);
	// The standard's scoring sheet (its one clause) and the team's score on it.
	await updateScoringSheet(t.db, admin, {
		standardId: standard.id,
		version: (await getScoringSheet(t.db, admin, standard.id)).standard.version,
		points: [{ clauseId: clause.id, points: 10 }]
	});
	await recordScores(t.db, admin, {
		evaluationId: planned.id,
		scores: [{ clauseId: clause.id, score: 9, previous: null }]
	});
	const raised = await raiseFinding(
		t.db,
		admin,
		planned.id,
		{ kind: 'nonconformity', grade: 'minor', clauseId: clause.id, statement: 'statement' },
		new Date('2026-06-02T04:00:00Z')
	);
	await issueEvaluationReport(t.db, admin, planned.id, started.version);
	const moved = await changeFindingDueDate(t.db, admin, raised.id, raised.version, {
		dueOn: '2026-09-07',
		reason: 'holiday'
	});
	let step = await submitResponse(t.db, orgUser, {
		findingId: raised.id,
		version: moved.version,
		correction: 'fix',
		rootCause: 'cause',
		correctiveAction: 'action',
		owner: 'owner',
		targetOn: '2026-07-01'
	});
	step = await reviewResponse(t.db, admin, {
		findingId: raised.id,
		version: step.version,
		comment: '',
		verdict: 'accept'
	});
	// An uploaded file, as the upload endpoint leaves it; submitting the evidence attaches it.
	await t.db.inTenant({ tenantId, userId: orgUser.userId }, (tx) =>
		tx
			.insertInto('evidence')
			.values({
				tenant_id: tenantId,
				finding_id: raised.id,
				sha256: 'a'.repeat(64),
				size_bytes: 10,
				detected_type: 'application/pdf',
				original_name: 'evidence.pdf',
				uploaded_by: orgUser.userId,
				effective_from: '2026-06-20'
			})
			.execute()
	);
	await submitEvidence(t.db, orgUser, { findingId: raised.id, version: step.version, note: '' });
	// The minor's plan is accepted: the certificate may be maintained after the evaluation.
	await takeDecision(t.db, decider, {
		certificateId: certificate.id,
		version: certificate.version,
		evaluationId: planned.id,
		kind: 'maintain',
		reason: 'fine'
	});
	// An initial evaluation granted: a second certificate, numbered by the counter.
	const initial = await planEvaluation(t.db, admin, {
		kind: 'initial',
		organisationId: organisation.id,
		standardId: standard.id,
		windowStart: '2026-06-03',
		windowEnd: '2026-06-04',
		teamIds: [admin.userId],
		leadId: admin.userId
	});
	const initialStarted = await startEvaluation(t.db, admin, initial.id, initial.version);
	const initialReported = await issueEvaluationReport(
		t.db,
		admin,
		initial.id,
		initialStarted.version
	);
	await grantCertificate(t.db, decider, {
		evaluationId: initial.id,
		version: initialReported.version,
		scope: 'scope',
		gradeLevelId: scale.levels[0]!.id,
		reason: 'granted'
	});

	await t.db.inTenant({ tenantId, userId: admin.userId }, async (tx) => {
		const base = { tenant_id: tenantId };
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
			.insertInto('reminders')
			.values({
				...base,
				subject_kind: 'obligation_item',
				subject_id: obligation.id,
				stage: 'due_today',
				due_on: '2026-02-02',
				fired_on: '2026-02-02'
			})
			.execute();
		await tx
			.insertInto('notifications')
			.values({
				...base,
				user_id: person.id,
				template: 'test',
				title: 't',
				body: 'b',
				link: '/dashboard',
				dedupe_key: 'k-1'
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
	});
	// A printed certificate: the documents table's row (and its audit entry).
	await certificateDocument(t.db, admin, certificate.id, 'zh-CN', 'http://localhost');
	// A feed of the person's own: calendar_feeds rows are visible to their person only.
	await t.db.inTenant({ tenantId, userId: person.id }, (tx) =>
		tx
			.insertInto('calendar_feeds')
			.values({ tenant_id: tenantId, user_id: person.id, token_hash: randomBytes(32) })
			.execute()
	);
	// The organisation's service system (issue 12 item 5), kept by its own admin: a commitment,
	// an outlet, an objective approved, measured and then changed (which keeps a version).
	const orgId = organisation.id;
	await createCommitment(t.db, orgUser, {
		organisationId: orgId,
		kind: 'work_order_rule',
		textZh: '投诉 4 小时内上报',
		textEn: '',
		limitValue: 4,
		limitUnit: 'hours'
	});
	await createOutlet(t.db, orgUser, {
		organisationId: orgId,
		name: '网点',
		address: 'Xiamen',
		scope: ['maintenance'],
		publiclyListed: true,
		operator: '维修组',
		contactPhone: ''
	});
	const objectiveFields = {
		titleZh: '顾客满意率',
		titleEn: '',
		metricZh: '满意户数 ÷ 回访户数',
		metricEn: '',
		targetValue: 95,
		unit: '%',
		direction: 'at_least' as const,
		owner: '服务部',
		period: 'monthly' as const
	};
	const objective = await createObjective(t.db, orgUser, {
		organisationId: orgId,
		...objectiveFields
	});
	await approveObjective(t.db, orgUser, { objectiveId: objective.id, version: 1 });
	await recordMeasurement(t.db, orgUser, {
		objectiveId: objective.id,
		periodDay: '2026-01-15',
		value: 96,
		note: ''
	});
	await updateObjective(t.db, orgUser, {
		objectiveId: objective.id,
		version: 1,
		...objectiveFields,
		targetValue: 96,
		active: true,
		changeReason: '提高目标'
	});

	return { person, organisation };
}
