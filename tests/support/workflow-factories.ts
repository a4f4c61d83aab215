import { randomBytes } from 'node:crypto';
import type {
	EvaluationKind,
	EvaluationStatus,
	FindingKind,
	FindingStatus,
	NonconformityGrade
} from '../../db/schema';
import type { TestDatabase } from './databases';
import type { Actor } from '../../src/lib/server/actor';
import { newActor, newOrganisation, newTenant } from './factories';
import { createStandard } from '../../src/lib/server/services/standards';
import { addClause } from '../../src/lib/server/services/clauses';
import { createGradeScale } from '../../src/lib/server/services/grade-scales';
import {
	closeEvaluation,
	issueEvaluationReport,
	planEvaluation,
	startEvaluation
} from '../../src/lib/server/services/evaluations';

/*
 * A small world for the corrective-action workflow and certification decisions: one body with an
 * organisation, a graded certificate, an evaluation whose report is issued (an evaluator leads
 * its team), and people on both sides; plus findings in any status, with the rows that status
 * implies.
 *
 * The catalogue and the evaluations go through the services, as their people would make them.
 * Certificates and findings go in directly through the tenant scope, as the earlier steps would
 * have left them: the decisions and workflow tests start from an entity with no audit entry of
 * its own (they check that a refused step writes none, and that a decision is the certificate's
 * only entry), and they need findings in any status on fixed dates, which the services would
 * only reach step by step and on today's date.
 */

const unique = () => randomBytes(4).toString('hex');

export interface WorkflowWorld {
	tenantId: string;
	organisationId: string;
	otherOrganisationId: string;
	standardId: string;
	clauseId: string;
	/** Grade levels of the standard's scale, best first. */
	grades: { five: string; four: string; three: string };
	certificateId: string;
	/** A surveillance evaluation of the certificate, report issued, led by `evaluator`. */
	evaluationId: string;
	admin: Actor;
	evaluator: Actor;
	decider: Actor;
	orgUser: Actor;
	otherOrgUser: Actor;
}

export async function newWorkflowWorld(t: TestDatabase): Promise<WorkflowWorld> {
	const tenant = await newTenant(t);
	const tenantId = tenant.id;
	const organisation = await newOrganisation(t, tenantId);
	const otherOrganisation = await newOrganisation(t, tenantId);
	const [admin, evaluator, decider, orgUser, otherOrgUser] = await Promise.all([
		newActor(t, tenantId, 'admin'),
		newActor(t, tenantId, 'evaluator'),
		newActor(t, tenantId, 'decision_maker'),
		newActor(t, tenantId, 'org_admin', organisation.id),
		newActor(t, tenantId, 'org_member', otherOrganisation.id)
	]);
	// The catalogue as the admin keeps it: the star scale, the standard, the clause (after its
	// parents, which the rules require).
	const scale = await createGradeScale(t.db, admin, {
		nameZh: '星级',
		nameEn: 'Stars',
		levels: [
			{ code: '5-star', labelZh: '五星', labelEn: 'Five stars', minScore: null },
			{ code: '4-star', labelZh: '四星', labelEn: 'Four stars', minScore: null },
			{ code: '3-star', labelZh: '三星', labelEn: 'Three stars', minScore: null }
		]
	});
	const standard = await createStandard(t.db, admin, {
		code: `GB/T 27922-${unique()}`,
		titleZh: '商品售后服务评价体系',
		titleEn: 'After-sales service',
		gradeScaleId: scale.id
	});
	for (const [number, titleZh, titleEn] of [
		['4', '售后服务体系', 'After-sales service system'],
		['4.2', '服务管理', 'Service management']
	] as const)
		await addClause(t.db, admin, standard.id, { number, titleZh, titleEn });
	const clause = await addClause(t.db, admin, standard.id, {
		number: '4.2.1',
		titleZh: '服务承诺',
		titleEn: 'Service commitments'
	});
	const rows = {
		standardId: standard.id,
		clauseId: clause.id,
		levels: scale.levels.map((level) => level.id)
	};
	const world = {
		tenantId,
		organisationId: organisation.id,
		otherOrganisationId: otherOrganisation.id,
		standardId: rows.standardId,
		clauseId: rows.clauseId,
		grades: { five: rows.levels[0]!, four: rows.levels[1]!, three: rows.levels[2]! },
		certificateId: '',
		evaluationId: '',
		admin,
		evaluator,
		decider,
		orgUser,
		otherOrgUser
	};
	world.certificateId = await newCertificate(t, world);
	world.evaluationId = await newEvaluation(t, world);
	return world;
}

/**
 * An active five-star certificate of the world's organisation (or suspended or withdrawn: states
 * only a decision reaches). Directly, not through createCertificate: see the note at the top.
 */
export async function newCertificate(
	t: TestDatabase,
	world: Pick<WorkflowWorld, 'tenantId' | 'organisationId' | 'standardId' | 'grades'>,
	options: { status?: 'active' | 'suspended' | 'withdrawn'; scope?: string } = {}
): Promise<string> {
	const row = await t.db.inTenant({ tenantId: world.tenantId, userId: null }, (tx) =>
		tx
			.insertInto('certificates')
			.values({
				tenant_id: world.tenantId,
				number: `CT-${unique()}`,
				organisation_id: world.organisationId,
				standard_id: world.standardId,
				scope: options.scope ?? 'After-sales service of household appliances',
				grade_level_id: world.grades.five,
				status: options.status ?? 'active',
				issued_on: '2026-01-10',
				expires_on: '2029-01-09',
				decided_on: '2026-01-10'
			})
			.returning('id')
			.executeTakeFirstOrThrow()
	);
	return row.id;
}

/**
 * A surveillance evaluation of a certificate, brought to `status` through the services (planned,
 * started, report issued, closed) by the world's admin, or by `evaluator` when no admin is given;
 * its team is `evaluator` as lead unless given.
 *
 * A team the rules refuse (someone neither evaluator nor admin on it, as the decisions tests need
 * for a decision maker who was on the team), or one an evaluator would run without being on it,
 * goes in directly instead, as if the rules had allowed it.
 */
export async function newEvaluation(
	t: TestDatabase,
	world: Pick<WorkflowWorld, 'tenantId' | 'organisationId' | 'standardId' | 'evaluator'> & {
		certificateId: string;
		admin?: Actor;
	},
	options: {
		status?: EvaluationStatus;
		team?: { userId: string; role: 'lead' | 'member' }[];
		windowEnd?: string;
		/** Surveillance unless given (a recertification for the renewal tests). */
		kind?: Exclude<EvaluationKind, 'initial'>;
	} = {}
): Promise<string> {
	const status = options.status ?? 'report_issued';
	const kind = options.kind ?? 'surveillance';
	const team = options.team ?? [{ userId: world.evaluator.userId, role: 'lead' }];
	const windowStart = '2026-11-01';
	const windowEnd = options.windowEnd ?? '2026-11-05';
	const actor = world.admin ?? world.evaluator;
	const runnable =
		(await teamTheRulesAllow(t, world.tenantId, team)) &&
		(actor.role !== 'evaluator' || team.some((member) => member.userId === actor.userId));
	if (!runnable) return insertEvaluation(t, world, { kind, status, team, windowStart, windowEnd });

	const planned = await planEvaluation(t.db, actor, {
		kind,
		certificateId: world.certificateId,
		windowStart,
		windowEnd,
		teamIds: team.map((member) => member.userId),
		leadId: (team.find((member) => member.role === 'lead') ?? team[0]!).userId
	});
	let version = planned.version;
	const steps = [
		[startEvaluation, status !== 'planned'],
		[issueEvaluationReport, status === 'report_issued' || status === 'closed'],
		[closeEvaluation, status === 'closed']
	] as const;
	for (const [step, wanted] of steps)
		if (wanted) version = (await step(t.db, actor, planned.id, version)).version;
	return planned.id;
}

/** Whether everyone on `team` may be on an evaluation team: the tenant's evaluators and admins. */
async function teamTheRulesAllow(
	t: TestDatabase,
	tenantId: string,
	team: { userId: string }[]
): Promise<boolean> {
	const members = await t.owner
		.selectFrom('memberships')
		.select('role')
		.where('tenant_id', '=', tenantId)
		.where(
			'user_id',
			'in',
			team.map((member) => member.userId)
		)
		.execute();
	return (
		members.length === new Set(team.map((member) => member.userId)).size &&
		members.every((member) => member.role === 'admin' || member.role === 'evaluator')
	);
}

/** The evaluation row and its team, directly (for a team or state the rules refuse). */
function insertEvaluation(
	t: TestDatabase,
	world: { tenantId: string; organisationId: string; standardId: string; certificateId: string },
	plan: {
		kind: Exclude<EvaluationKind, 'initial'>;
		status: EvaluationStatus;
		team: { userId: string; role: 'lead' | 'member' }[];
		windowStart: string;
		windowEnd: string;
	}
): Promise<string> {
	const { status, team } = plan;
	return t.db.inTenant({ tenantId: world.tenantId, userId: null }, async (tx) => {
		const evaluation = await tx
			.insertInto('evaluations')
			.values({
				tenant_id: world.tenantId,
				kind: plan.kind,
				certificate_id: world.certificateId,
				organisation_id: world.organisationId,
				standard_id: world.standardId,
				window_start: plan.windowStart,
				window_end: plan.windowEnd,
				status,
				started_at: status === 'planned' ? null : new Date(),
				report_issued_at: status === 'report_issued' || status === 'closed' ? new Date() : null,
				closed_at: status === 'closed' ? new Date() : null
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		for (const member of team)
			await tx
				.insertInto('evaluation_team_members')
				.values({
					tenant_id: world.tenantId,
					evaluation_id: evaluation.id,
					user_id: member.userId,
					team_role: member.role
				})
				.execute();
		return evaluation.id;
	});
}

export interface FindingOptions {
	evaluationId?: string;
	status?: FindingStatus;
	kind?: FindingKind;
	grade?: NonconformityGrade;
	reference?: string;
	raisedOn?: string;
	dueOn?: string;
	statement?: string;
}

/**
 * A finding in `status`, with what that status implies: a pending response once one was
 * submitted, an accepted one once the plan was accepted, an open evidence submission when
 * evidence awaits review, an effective one when closed.
 */
export async function newFinding(
	t: TestDatabase,
	world: Pick<WorkflowWorld, 'tenantId' | 'evaluationId' | 'clauseId' | 'evaluator' | 'orgUser'>,
	options: FindingOptions = {}
) {
	const status = options.status ?? 'open';
	const kind = options.kind ?? 'nonconformity';
	const nonconformity = kind === 'nonconformity';
	return t.db.inTenant({ tenantId: world.tenantId, userId: null }, async (tx) => {
		const base = { tenant_id: world.tenantId };
		const finding = await tx
			.insertInto('findings')
			.values({
				...base,
				evaluation_id: options.evaluationId ?? world.evaluationId,
				reference: options.reference ?? `NC-${unique()}`,
				kind,
				grade: nonconformity ? (options.grade ?? 'major') : null,
				clause_id: world.clauseId,
				statement: options.statement ?? '未按承诺时限提供上门服务。',
				objective_evidence: '抽查 2026 年 10 月派工单 3 份，均超过承诺时限。',
				raised_by: world.evaluator.userId,
				raised_on: options.raisedOn ?? '2026-11-03',
				due_on: nonconformity ? (options.dueOn ?? '2026-12-03') : (options.dueOn ?? null),
				status,
				closed_at: status === 'closed' ? new Date() : null
			})
			.returningAll()
			.executeTakeFirstOrThrow();
		if (!nonconformity || status === 'open') return finding;
		const response = await tx
			.insertInto('responses')
			.values({
				...base,
				finding_id: finding.id,
				correction: '已对超时工单逐一回访。',
				root_cause: '派工规则未考虑偏远地区路程。',
				corrective_action: '修订派工规则并培训调度员。',
				action_owner: '服务部经理',
				target_on: '2026-11-30',
				submitted_by: world.orgUser.userId,
				review_status: status === 'response_submitted' ? 'pending' : 'accepted',
				reviewed_by: status === 'response_submitted' ? null : world.evaluator.userId,
				reviewed_at: status === 'response_submitted' ? null : new Date()
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		if (status === 'evidence_submitted' || status === 'closed')
			await tx
				.insertInto('evidence_submissions')
				.values({
					...base,
					finding_id: finding.id,
					response_id: response.id,
					note: '附修订后的派工规则。',
					submitted_by: world.orgUser.userId,
					verdict: status === 'closed' ? 'effective' : null,
					verdict_by: status === 'closed' ? world.evaluator.userId : null,
					verdict_at: status === 'closed' ? new Date() : null
				})
				.execute();
		return finding;
	});
}

/** An evidence file uploaded against a finding and not yet submitted (as the upload endpoint leaves it). */
export async function newEvidenceFile(
	t: TestDatabase,
	world: Pick<WorkflowWorld, 'tenantId'>,
	findingId: string,
	uploadedBy: string,
	name = 'dispatch-rules.pdf'
) {
	return t.db.inTenant({ tenantId: world.tenantId, userId: uploadedBy }, (tx) =>
		tx
			.insertInto('evidence')
			.values({
				tenant_id: world.tenantId,
				finding_id: findingId,
				sha256: randomBytes(32).toString('hex'),
				size_bytes: 2048,
				declared_type: 'application/pdf',
				detected_type: 'application/pdf',
				original_name: name,
				uploaded_by: uploadedBy,
				effective_from: '2026-11-20'
			})
			.returningAll()
			.executeTakeFirstOrThrow()
	);
}

/** The audit entries of an entity, oldest first, read as the owner. */
export function auditOf(t: TestDatabase, entityId: string) {
	return t.owner
		.selectFrom('audit_log')
		.select(['action', 'actor_user_id', 'entity_type', 'before', 'after'])
		.where('entity_id', '=', entityId)
		.orderBy('seq')
		.execute();
}

/** A JSON audit column as an object (postgres.js and PGlite both hand back parsed or text JSON). */
export function json(value: unknown): Record<string, unknown> {
	if (typeof value === 'string') return JSON.parse(value) as Record<string, unknown>;
	return (value ?? {}) as Record<string, unknown>;
}
