import type { AppDatabase, Tx } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import type { EvaluationStatus } from '../../../../db/schema';
import { decideCertification, type DecisionRefusal } from '../domain/certification-decision';
import { checkPattern, numberingFor, type ParsedPattern } from '../domain/certificate-number';
import { certificateExpiry } from '../domain/scheme-rules';
import { todayInZone } from '../domain/calendar';
import { badInput, notFound, Refusal, staleVersion } from '../errors';
import { authorize } from './authorize';
import { auditAs } from './audit-entry';
import { blockingFindings } from './decisions';
import { issueCertificateIn } from './certificates';
import { decisionTakenMessage } from './event-messages';
import { gradeProposalIn } from './scoring';
import type { GrantCertificateInput } from './grant.schema';
import * as decisions from '../repositories/decisions';
import { findEvaluation, isOnTeam, linkGrantedCertificate } from '../repositories/evaluations';
import { findCertificateByNumber } from '../repositories/certificates';
import { findStandard } from '../repositories/catalogue';
import { findSchemeRules } from '../repositories/scheme-rules';
import {
	findNumberPattern,
	peekNextSequence,
	takeNextSequence
} from '../repositories/certificate-numbers';

/*
 * The initial certification's grant (issue 12 item 1; ISO/IEC 17021-1 9.5, ISO/IEC 17065 7.8):
 * an initial evaluation's report leads to a grant decision by a decision maker who was not on
 * its team, and only then is the certificate issued. The certification decision rules
 * (decideCertification, kind 'grant' from "no certificate yet") say who may grant and what
 * blocks it, as for every other decision.
 *
 * One transaction: the number from the body's pattern (its counter taken here, so a refused or
 * rolled-back grant uses no number), the certificate with its scheme-rule expiry, the decision,
 * the 'issued' history line naming it, the evaluation linked (and closed when its report was
 * out), the audit entries and the organisation's email.
 *
 * Refusal codes: FORBIDDEN for anyone but a decision maker and for a member of the evaluation's
 * team; NOT_FOUND for an evaluation of another tenant; CONFLICT for an evaluation that is not an
 * initial one, whose report is not out, that has its certificate already, while nonconformities
 * block, for an unusable number pattern and for a stale version; BAD_REQUEST for missing or
 * invalid fields.
 */

/** An evaluation a grant can follow: its report is out. */
const GRANTABLE: readonly EvaluationStatus[] = ['report_issued', 'closed'];

/** How many numbers an imported certificate may already hold before a grant gives up. */
const MAX_TAKEN_NUMBERS = 1000;

function requireDecisionMaker(actor: Actor) {
	authorize(actor, 'certificate.decide', { onEvaluationTeam: false });
}

/** Why an evaluation cannot be granted at all, whoever asks (null: it can). */
function evaluationRefusal(evaluation: {
	kind: string;
	status: EvaluationStatus;
	certificate_id: string | null;
}): string | null {
	if (evaluation.kind !== 'initial') return 'grant_refused_not_initial';
	if (evaluation.certificate_id) return 'grant_refused_already_granted';
	if (!GRANTABLE.includes(evaluation.status)) return 'grant_refused_report_not_issued';
	return null;
}

async function numberingOf(tx: Tx, actor: Actor, standardCode: string, decidedOn: string) {
	const pattern = checkPattern(await findNumberPattern(tx, actor.tenantId));
	if (!pattern.ok) throw new Refusal('CONFLICT', 'grant_refused_pattern_invalid');
	return numberingFor(pattern.parsed as ParsedPattern, { standardCode, decidedOn });
}

/** What the grant page shows: the evaluation, what blocks it, the grades, number and validity. */
export async function getGrantOptions(
	db: AppDatabase,
	actor: Actor,
	evaluationId: string,
	now = new Date()
) {
	requireDecisionMaker(actor);
	const today = todayInZone(now, actor.tenant.timeZone);
	return db.inTenant(scopeOf(actor), async (tx) => {
		const evaluation = await findEvaluation(tx, evaluationId);
		if (!evaluation) throw notFound();
		const standard = await findStandard(tx, evaluation.standard_id);
		if (!standard) throw notFound();
		const [findings, onTeam, gradeLevels, rules] = await Promise.all([
			decisions.listEvaluationFindings(tx, [evaluationId]),
			isOnTeam(tx, evaluationId, actor.userId),
			standard.grade_scale_id
				? decisions.listGradeLevels(tx, standard.grade_scale_id)
				: Promise.resolve([]),
			findSchemeRules(tx, standard.id)
		]);
		const refusal = evaluationRefusal(evaluation);
		let nextNumber: string | null = null;
		const pattern = checkPattern(await findNumberPattern(tx, actor.tenantId));
		if (pattern.ok) {
			const numbering = numberingFor(pattern.parsed, {
				standardCode: standard.code,
				decidedOn: today
			});
			nextNumber = numbering.format(await peekNextSequence(tx, numbering.prefix));
		}
		return {
			evaluation: {
				id: evaluation.id,
				kind: evaluation.kind,
				status: evaluation.status,
				reference: evaluation.reference,
				version: evaluation.version,
				windowStart: evaluation.window_start,
				windowEnd: evaluation.window_end,
				organisationId: evaluation.organisation_id,
				organisationName: evaluation.organisation_name,
				standardCode: evaluation.standard_code,
				standardTitleZh: evaluation.standard_title_zh,
				standardTitleEn: evaluation.standard_title_en,
				certificateId: evaluation.certificate_id,
				certificateNumber: evaluation.certificate_number
			},
			/** A message key when the evaluation can be granted by nobody. */
			refusal,
			onTeam,
			...blockingFindings(findings, actor.role),
			gradeLevels: gradeLevels.map((g) => ({
				id: g.id,
				code: g.code,
				labelZh: g.label_zh,
				labelEn: g.label_en
			})),
			/** The number the grant would take today, were no other grant before it. */
			nextNumber,
			issuedOn: today,
			expiresOn: certificateExpiry(today, rules),
			validityMonths: rules.certificateValidityMonths
		};
	});
}

export type GrantOptions = Awaited<ReturnType<typeof getGrantOptions>>;

function refusalOf(
	reason: DecisionRefusal,
	findings: Parameters<typeof blockingFindings>[0],
	actor: Actor
) {
	const { openMajors, minorsWithoutPlan } = blockingFindings(findings, actor.role);
	switch (reason) {
		case 'wrong_role':
			return new Refusal('FORBIDDEN', 'findings_decision_refused_role');
		case 'team_member':
			return new Refusal('FORBIDDEN', 'findings_decision_refused_team_member');
		case 'reason_required':
			return badInput('reason', 'findings_decision_reason_required');
		case 'major_not_closed':
			return new Refusal('CONFLICT', 'findings_decision_refused_major_open', {
				references: openMajors.join(', ')
			});
		case 'minor_without_accepted_plan':
			return new Refusal('CONFLICT', 'findings_decision_refused_minor_without_plan', {
				references: minorsWithoutPlan.join(', ')
			});
		case 'certificate_status':
		case 'grade_required':
		case 'scope_required':
			// A grant starts from no certificate and carries no regrade or new scope.
			return new Refusal('CONFLICT', 'grant_refused_already_granted');
	}
}

/**
 * Grants the initial certification: allocates the number, issues the certificate and records
 * the decision, its history line, the evaluation's link, the audit entries and the email.
 */
export async function grantCertificate(
	db: AppDatabase,
	actor: Actor,
	input: GrantCertificateInput,
	now = new Date()
) {
	requireDecisionMaker(actor);
	const reason = input.reason.trim();
	const scope = input.scope.trim();
	if (!scope) throw badInput('scope', 'error_required');
	return db.inTenant(scopeOf(actor), async (tx) => {
		// Locked: two grants of one evaluation take turns, and the second finds it granted.
		const evaluation = await findEvaluation(tx, input.evaluationId, { forUpdate: true });
		if (!evaluation) throw notFound();
		if (evaluation.version !== input.version) throw staleVersion();
		const refusal = evaluationRefusal(evaluation);
		if (refusal) throw new Refusal('CONFLICT', refusal);

		const findings = await decisions.listEvaluationFindings(tx, [evaluation.id]);
		const onTeam = await isOnTeam(tx, evaluation.id, actor.userId);
		const verdict = decideCertification({
			kind: 'grant',
			reason,
			certificateStatus: null,
			actor: { role: actor.role, onEvaluationTeam: onTeam },
			findings
		});
		if (!verdict.ok) throw refusalOf(verdict.reason, findings, actor);

		const standard = await findStandard(tx, evaluation.standard_id);
		if (!standard) throw notFound();
		const today = todayInZone(now, actor.tenant.timeZone);
		const numbering = await numberingOf(tx, actor, standard.code, today);
		// A number an imported certificate already holds is passed over, not handed out twice.
		let number = '';
		for (let tries = 0; !number; tries++) {
			if (tries >= MAX_TAKEN_NUMBERS)
				throw new Refusal('CONFLICT', 'grant_refused_pattern_invalid');
			const candidate = numbering.format(
				await takeNextSequence(tx, actor.tenantId, numbering.prefix)
			);
			if (!(await findCertificateByNumber(tx, candidate))) number = candidate;
		}

		let decisionId = '';
		const gradeLevelId = input.gradeLevelId || null;
		const certificate = await issueCertificateIn(
			tx,
			actor,
			{
				number,
				organisationId: evaluation.organisation_id,
				standard,
				scope,
				gradeLevelId,
				issuedOn: today,
				decidedOn: today,
				origin: 'granted'
			},
			async (issued) => {
				const decision = await decisions.insertDecision(tx, {
					tenantId: actor.tenantId,
					certificateId: issued.id,
					evaluationId: evaluation.id,
					kind: 'grant',
					reason,
					newGradeLevelId: gradeLevelId,
					newScope: scope,
					decidedBy: actor.userId,
					decidedOn: today
				});
				decisionId = decision.id;
				return decision.id;
			}
		);
		// What the evaluation's scores proposed (issue 12 item 2): the audit entry says whether the
		// decision maker took that grade or another (their reason says why).
		const proposed = (await gradeProposalIn(tx, evaluation.id))?.computedLevelId ?? null;
		await auditAs(tx, actor, 'decision.grant', 'certificate', certificate.id, {
			after: {
				number,
				status: certificate.status,
				gradeLevelId,
				scope,
				reason,
				evaluationId: evaluation.id,
				...(proposed
					? { proposedGradeLevelId: proposed, followsProposal: proposed === gradeLevelId }
					: {})
			}
		});

		// The decision is the evaluation's last step (ISO/IEC 17021-1 9.5): its report being out,
		// the grant closes it, and either way the evaluation now names its certificate.
		const close = evaluation.status === 'report_issued';
		const linked = await linkGrantedCertificate(tx, evaluation.id, evaluation.version, {
			certificateId: certificate.id,
			close
		});
		if (!linked) throw staleVersion();
		await auditAs(
			tx,
			actor,
			close ? 'evaluation.close' : 'evaluation.update',
			'evaluation',
			evaluation.id,
			{
				before: { status: evaluation.status, certificateId: null },
				after: { status: linked.status, certificateId: certificate.id, decisionId }
			}
		);
		await decisionTakenMessage(tx, actor, {
			id: decisionId,
			certificateId: certificate.id,
			kind: 'grant'
		});
		return { decisionId, certificateId: certificate.id, number, expiresOn: certificate.expires_on };
	});
}
