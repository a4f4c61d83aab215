import type { AppDatabase } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import { randomUUID } from 'node:crypto';
import type { CertificateStatus, EvaluationStatus, Role, ScopeItem } from '../../../../db/schema';
import {
	decideCertification,
	type DecisionRefusal,
	type DecisionRequest
} from '../domain/certification-decision';
import { addDays, todayInZone } from '../domain/calendar';
import {
	RESTORATION_MONTHS,
	renewedExpiry,
	restorationGap,
	restorationLimit
} from '../domain/scheme-rules';
import {
	extendScope,
	reduceScope,
	scopeItemsFromRows,
	type ScopeRefusal
} from '../domain/certificate-scope';
import { findSchemeRules } from '../repositories/scheme-rules';
import { badInput, notFound, Refusal, staleVersion } from '../errors';
import { authorize } from './authorize';
import { decisionTakenMessage } from './event-messages';
import { DECISION_KINDS, type PageDecisionKind } from './decisions.schema';
import { auditAs } from './audit-entry';
import * as repo from '../repositories/decisions';
import { findEvaluation, isOnTeam, updateEvaluationStatus } from '../repositories/evaluations';
import { insertCertificateHistoryEntries } from '../repositories/certificates';
import { gradeProposalIn, gradeProposalsIn } from './scoring';

/*
 * Certification decisions (SPEC §3, ISO/IEC 17021-1 9.5): a decision maker renews (after a
 * recertification), maintains, regrades, suspends, withdraws, restores, extends or reduces the
 * scope of a certificate after an evaluation. The decision, the certificate, its history and the
 * audit entry change in one transaction.
 *
 * Refusal codes: FORBIDDEN for anyone but a decision maker and for a member of the evaluation's
 * team; NOT_FOUND for a certificate of another tenant; CONFLICT while the evaluation's
 * nonconformities block the decision, for a certificate status the decision does not apply to,
 * and for a stale version; BAD_REQUEST for missing or invalid fields.
 */

export { DECISION_KINDS, type PageDecisionKind } from './decisions.schema';

/** Suspension and withdrawal answer nonconformities or other causes: no evaluation needed. */
const EVALUATION_OPTIONAL: readonly PageDecisionKind[] = ['suspend', 'withdraw'];

/** An evaluation a decision can follow: its report is out. */
const DECIDABLE: readonly EvaluationStatus[] = ['report_issued', 'closed'];

type Finding = DecisionRequest['findings'][number] & { reference: string };

/**
 * The findings of an evaluation that would stop a maintain decision, asked of the decision rules
 * one finding at a time so that the rule lives in one place.
 */
export function blockingFindings(findings: Finding[], role: Role) {
	const blocking = (reason: DecisionRefusal) =>
		findings
			.filter((finding) => {
				const verdict = decideCertification({
					kind: 'maintain',
					reason: '-',
					certificateStatus: 'active',
					actor: { role, onEvaluationTeam: false },
					findings: [finding]
				});
				return !verdict.ok && verdict.reason === reason;
			})
			.map((finding) => finding.reference);
	return {
		openMajors: blocking('major_not_closed'),
		minorsWithoutPlan: blocking('minor_without_accepted_plan')
	};
}

/**
 * The decisions the certificate's status allows, asked of the decision rules; a renewal also
 * by the validity (an expired certificate past its restoration period is certified anew).
 */
function kindsAllowedFor(
	status: CertificateStatus,
	role: Role,
	validity: { expiresOn: string; today: string }
): PageDecisionKind[] {
	return DECISION_KINDS.filter((kind) => {
		const verdict = decideCertification({
			kind,
			reason: '-',
			certificateStatus: status,
			actor: { role, onEvaluationTeam: false },
			findings: [],
			newGradeLevelId: 'new',
			currentGradeLevelId: null,
			newScope: '-',
			evaluationKind: 'recertification',
			scopeItemsChanged: true,
			validity
		});
		return (
			verdict.ok ||
			(verdict.reason !== 'certificate_status' && verdict.reason !== 'restoration_period_passed')
		);
	});
}

/** Whose role may decide at all; impartiality is checked once the evaluation is known. */
function requireDecisionMaker(actor: Actor) {
	authorize(actor, 'certificate.decide', { onEvaluationTeam: false });
}

/** What the decision page offers: the certificate, its grades, and the evaluations to follow. */
export async function getDecisionOptions(
	db: AppDatabase,
	actor: Actor,
	certificateId: string,
	now = new Date()
) {
	requireDecisionMaker(actor);
	const today = todayInZone(now, actor.tenant.timeZone);
	return db.inTenant(scopeOf(actor), async (tx) => {
		const certificate = await repo.findCertificateForDecision(tx, certificateId);
		if (!certificate) throw notFound();
		const evaluations = await repo.listDecidableEvaluations(tx, certificateId);
		const ids = evaluations.map((e) => e.id);
		const latest = await repo.latestEvaluationId(tx, certificateId);
		const recertifications = evaluations
			.filter((evaluation) => evaluation.kind === 'recertification')
			.map((evaluation) => evaluation.id);
		const [findings, withMe, gradeLevels, rules, proposals, renewed] = await Promise.all([
			repo.listEvaluationFindings(tx, ids),
			repo.evaluationsWithMember(tx, latest ? [...ids, latest] : ids, actor.userId),
			certificate.grade_scale_id
				? repo.listGradeLevels(tx, certificate.grade_scale_id)
				: Promise.resolve([]),
			findSchemeRules(tx, certificate.standard_id),
			// The grade each evaluation's scores propose (issue 12 item 2), preselected on the page:
			// one batched read for all of them, not one per evaluation.
			gradeProposalsIn(tx, ids),
			repo.renewedEvaluationIds(tx, recertifications)
		]);
		return {
			certificate: {
				id: certificate.id,
				number: certificate.number,
				organisationName: certificate.organisation_name,
				standardCode: certificate.standard_code,
				standardTitleZh: certificate.standard_title_zh,
				standardTitleEn: certificate.standard_title_en,
				scope: certificate.scope,
				status: certificate.status,
				gradeLevelId: certificate.grade_level_id,
				gradeZh: certificate.grade_zh,
				gradeEn: certificate.grade_en,
				issuedOn: certificate.issued_on,
				expiresOn: certificate.expires_on,
				scopeItems: certificate.scope_items,
				version: certificate.version
			},
			/** What a renewal decided now would make the expiry (the scheme's validity). */
			renewal: {
				expiresOn: renewedExpiry(certificate.expires_on, rules),
				validityMonths: rules.certificateValidityMonths,
				/**
				 * Past its expiry: a renewal restores the certification until `restoreBy`
				 * (ISO/IEC 17021-1 9.6.3.2.5), the lapse recorded; later it is certified anew.
				 */
				restoration:
					today > certificate.expires_on
						? {
								expiredOn: certificate.expires_on,
								restoreBy: restorationLimit(certificate.expires_on),
								open: today <= restorationLimit(certificate.expires_on),
								months: RESTORATION_MONTHS,
								lapse: restorationGap(certificate.expires_on, today)
							}
						: null
			},
			gradeLevels: gradeLevels.map((g) => ({
				id: g.id,
				code: g.code,
				labelZh: g.label_zh,
				labelEn: g.label_en
			})),
			kinds: kindsAllowedFor(certificate.status, actor.role, {
				expiresOn: certificate.expires_on,
				today
			}),
			/** A decision that follows no evaluation is refused to the latest evaluation's team. */
			onLatestTeam: latest !== null && withMe.has(latest),
			evaluations: evaluations.map((evaluation) => ({
				id: evaluation.id,
				kind: evaluation.kind,
				status: evaluation.status,
				windowStart: evaluation.window_start,
				windowEnd: evaluation.window_end,
				onTeam: withMe.has(evaluation.id),
				/** A recertification that has renewed the certificate already (once each). */
				renewed: renewed.has(evaluation.id),
				gradeProposal: proposals.get(evaluation.id) ?? null,
				...blockingFindings(
					findings.filter((f) => f.evaluation_id === evaluation.id),
					actor.role
				)
			}))
		};
	});
}

export type DecisionOptions = Awaited<ReturnType<typeof getDecisionOptions>>;

export interface DecisionInput {
	certificateId: string;
	/** The certificate's version the decision maker saw. */
	version: number;
	/** The evaluation the decision follows; optional for suspend and withdraw. */
	evaluationId?: string | null;
	kind: PageDecisionKind;
	reason: string;
	/** Regrade: the new grade, from the standard's scale. */
	newGradeLevelId?: string | null;
	/** Reduce or extend scope: the new scope text (optional when items change). */
	newScope?: string | null;
	/** Extend scope: the items to add, as parallel lists (a row without a name is left out). */
	scopeItemKind?: ScopeItem['kind'][];
	scopeItemName?: string[];
	scopeItemAddress?: string[];
	/** Reduce scope: the ids of the items to remove. */
	removeScopeItemIds?: string[];
}

function scopeRefusal(reason: ScopeRefusal): Refusal {
	switch (reason) {
		case 'scope_items_required':
			return badInput('scopeItemName', 'renewal_scope_items_required');
		case 'scope_item_duplicate':
			return badInput('scopeItemName', 'renewal_scope_item_duplicate');
		case 'scope_item_unknown':
			return badInput('removeScopeItemIds', 'renewal_scope_item_unknown');
		case 'scope_items_all_removed':
			return badInput('removeScopeItemIds', 'renewal_scope_items_all_removed');
	}
}

function refusalOf(
	kind: PageDecisionKind,
	reason: DecisionRefusal,
	findings: Finding[],
	role: Role,
	validity: { expiresOn: string }
): Refusal {
	const { openMajors, minorsWithoutPlan } = blockingFindings(findings, role);
	switch (reason) {
		case 'wrong_role':
			return new Refusal('FORBIDDEN', 'findings_decision_refused_role');
		case 'team_member':
			return new Refusal('FORBIDDEN', 'findings_decision_refused_team_member');
		case 'reason_required':
			return badInput('reason', 'findings_decision_reason_required');
		case 'certificate_status':
			// One message per decision, naming the statuses it applies to.
			return new Refusal('CONFLICT', `findings_decision_refused_status_${kind}`);
		case 'major_not_closed':
			return new Refusal('CONFLICT', 'findings_decision_refused_major_open', {
				references: openMajors.join(', ')
			});
		case 'minor_without_accepted_plan':
			return new Refusal('CONFLICT', 'findings_decision_refused_minor_without_plan', {
				references: minorsWithoutPlan.join(', ')
			});
		case 'grade_required':
			return badInput('newGradeLevelId', 'findings_decision_grade_required');
		case 'scope_required':
			return badInput('newScope', 'error_required');
		case 'scope_items_required':
			return badInput('scopeItemName', 'renewal_scope_items_required');
		case 'recertification_required':
			return badInput('evaluationId', 'renewal_recertification_required');
		case 'restoration_period_passed':
			return new Refusal('CONFLICT', 'renewal_restoration_period_passed', {
				date: validity.expiresOn,
				months: RESTORATION_MONTHS
			});
	}
}

/**
 * Takes a certification decision: the decision row, the certificate's new status, grade or
 * scope (its version moves on), one history row per change and the audit entry, together.
 */
export async function takeDecision(
	db: AppDatabase,
	actor: Actor,
	input: DecisionInput,
	now = new Date()
) {
	requireDecisionMaker(actor);
	const reason = input.reason.trim();
	const evaluationId = input.evaluationId || null;
	return db.inTenant(scopeOf(actor), async (tx) => {
		const certificate = await repo.findCertificateForDecision(tx, input.certificateId, {
			forUpdate: true
		});
		if (!certificate) throw notFound();
		if (certificate.version !== input.version) throw staleVersion();

		if (!evaluationId && !EVALUATION_OPTIONAL.includes(input.kind))
			throw badInput('evaluationId', 'findings_decision_evaluation_required');
		const evaluation = evaluationId ? await findEvaluation(tx, evaluationId) : undefined;
		if (evaluationId) {
			if (
				!evaluation ||
				evaluation.certificate_id !== certificate.id ||
				!DECIDABLE.includes(evaluation.status)
			)
				throw badInput('evaluationId', 'findings_decision_evaluation_invalid');
		}
		const findings = evaluationId ? await repo.listEvaluationFindings(tx, [evaluationId]) : [];
		// Impartiality: the team of the evaluation the decision follows or, for a decision that
		// follows none, of the certificate's most recent evaluation.
		const teamOf = evaluationId ?? (await repo.latestEvaluationId(tx, certificate.id));
		const onTeam = teamOf ? await isOnTeam(tx, teamOf, actor.userId) : false;

		const gradeLevels = certificate.grade_scale_id
			? await repo.listGradeLevels(tx, certificate.grade_scale_id)
			: [];
		const newGradeLevelId = input.kind === 'regrade' ? input.newGradeLevelId || null : null;
		const newGrade = gradeLevels.find((g) => g.id === newGradeLevelId);
		if (newGradeLevelId && !newGrade)
			throw badInput('newGradeLevelId', 'findings_decision_grade_invalid');
		const scopeDecision = input.kind === 'reduce_scope' || input.kind === 'extend_scope';
		const newScope = scopeDecision ? input.newScope?.trim() || null : null;
		const today = todayInZone(now, actor.tenant.timeZone);

		// The structured scope the decision leaves, asked of the scope rules.
		let newScopeItems: ScopeItem[] | null = null;
		if (input.kind === 'extend_scope') {
			const additions = scopeItemsFromRows({
				kinds: input.scopeItemKind ?? [],
				names: input.scopeItemName ?? [],
				addresses: input.scopeItemAddress ?? []
			});
			if (additions.length > 0) {
				const extended = extendScope(
					certificate.scope_items,
					additions.map((item) => ({ ...item, id: randomUUID() }))
				);
				if (!extended.ok) throw scopeRefusal(extended.reason);
				newScopeItems = extended.items;
			}
		}
		if (input.kind === 'reduce_scope' && (input.removeScopeItemIds ?? []).length > 0) {
			const reduced = reduceScope(certificate.scope_items, input.removeScopeItemIds ?? []);
			if (!reduced.ok) throw scopeRefusal(reduced.reason);
			newScopeItems = reduced.items;
		}

		const verdict = decideCertification({
			kind: input.kind,
			reason,
			certificateStatus: certificate.status,
			actor: { role: actor.role, onEvaluationTeam: onTeam },
			findings,
			newGradeLevelId,
			currentGradeLevelId: certificate.grade_level_id,
			newScope,
			evaluationKind: evaluation?.kind ?? null,
			scopeItemsChanged: newScopeItems !== null,
			validity: { expiresOn: certificate.expires_on, today }
		});
		if (!verdict.ok)
			throw refusalOf(input.kind, verdict.reason, findings, actor.role, {
				expiresOn: certificate.expires_on
			});
		if (newScope !== null && newScope === certificate.scope && newScopeItems === null)
			throw badInput('newScope', 'findings_decision_scope_unchanged');
		if (
			input.kind === 'renew' &&
			evaluationId &&
			(await repo.renewedEvaluationIds(tx, [evaluationId])).has(evaluationId)
		)
			throw new Refusal('CONFLICT', 'renewal_already_renewed');
		// Renewal: the new cycle from the scheme rules, continuing the one it renews. Decided after
		// the expiry it restores the certification (ISO/IEC 17021-1 9.6.3.2.5): the new cycle counts
		// from this decision, the expiry still from the prior cycle's, and the lapse is recorded.
		const renewal =
			input.kind === 'renew'
				? {
						expiresOn: renewedExpiry(
							certificate.expires_on,
							await findSchemeRules(tx, certificate.standard_id)
						),
						decidedOn: today
					}
				: null;
		const lapse = renewal ? restorationGap(certificate.expires_on, today) : null;

		// What the evaluation's scores proposed (issue 12 item 2): the audit entry says whether the
		// decision maker confirmed it or decided otherwise (their reason says why).
		const scored = evaluationId ? (await gradeProposalIn(tx, evaluationId))?.proposal : undefined;
		const proposed =
			scored?.kind === 'maintain' || scored?.kind === 'regrade'
				? {
						gradeProposal: `${scored.kind} ${gradeLevels.find((g) => g.id === scored.levelId)?.code ?? ''}`,
						followsProposal:
							scored.kind === input.kind &&
							(scored.kind === 'maintain' || scored.levelId === newGradeLevelId)
					}
				: {};

		const decision = await repo.insertDecision(tx, {
			tenantId: actor.tenantId,
			certificateId: certificate.id,
			evaluationId,
			kind: input.kind,
			reason,
			newGradeLevelId,
			newScope,
			newScopeItems,
			newExpiresOn: renewal?.expiresOn ?? null,
			decidedBy: actor.userId,
			decidedOn: today
		});
		const after = await repo.updateCertificateAfterDecision(
			tx,
			certificate.id,
			certificate.version,
			{
				status: verdict.status,
				gradeLevelId: newGradeLevelId ?? certificate.grade_level_id,
				scope: newScope ?? certificate.scope,
				scopeItems: newScopeItems,
				renewal
			}
		);
		if (!after) throw staleVersion();

		const history = {
			tenant_id: actor.tenantId,
			certificate_id: certificate.id,
			decision_id: decision.id,
			effective_on: today,
			recorded_by: actor.userId
		};
		// A lapsed certificate the sweep has not marked yet: its expiry is written first, on the day
		// after its last valid day, so the history (and the public verification replaying it)
		// shows the lapse before the restoration.
		const unswept = lapse !== null && certificate.status !== 'expired';
		await insertCertificateHistoryEntries(tx, [
			...(unswept
				? [
						{
							tenant_id: actor.tenantId,
							certificate_id: certificate.id,
							decision_id: null,
							effective_on: addDays(certificate.expires_on, 1),
							recorded_by: null,
							change: 'expired' as const,
							from_status: certificate.status,
							to_status: 'expired' as const
						}
					]
				: []),
			...(after.status !== certificate.status || unswept
				? [
						{
							...history,
							change: 'status' as const,
							from_status: unswept ? ('expired' as const) : certificate.status,
							to_status: after.status
						}
					]
				: []),
			...(after.grade_level_id !== certificate.grade_level_id
				? [
						{
							...history,
							change: 'grade' as const,
							from_grade_level_id: certificate.grade_level_id,
							to_grade_level_id: after.grade_level_id
						}
					]
				: []),
			...(after.scope !== certificate.scope || newScopeItems
				? [
						{
							...history,
							change: 'scope' as const,
							from_scope: certificate.scope,
							to_scope: after.scope,
							...(newScopeItems
								? {
										from_scope_items: JSON.stringify(certificate.scope_items),
										to_scope_items: JSON.stringify(after.scope_items)
									}
								: {})
						}
					]
				: []),
			...(renewal
				? [
						{
							...history,
							change: 'renewed' as const,
							from_expires_on: certificate.expires_on,
							to_expires_on: after.expires_on
						}
					]
				: [])
		]);

		await auditAs(tx, actor, `decision.${input.kind}`, 'certificate', certificate.id, {
			before: {
				status: certificate.status,
				grade: certificate.grade_code,
				scope: certificate.scope,
				// The items by name, as the history panels read them (the history row keeps them whole).
				...(newScopeItems ? { scope_items: certificate.scope_items.map((i) => i.name) } : {}),
				...(renewal
					? { expires_on: certificate.expires_on, decided_on: certificate.decided_on }
					: {})
			},
			after: {
				status: after.status,
				grade: newGrade ? newGrade.code : certificate.grade_code,
				scope: after.scope,
				...(newScopeItems ? { scope_items: after.scope_items.map((i) => i.name) } : {}),
				...(renewal ? { expires_on: after.expires_on, decided_on: after.decided_on } : {}),
				// A restoration: the days the certification was not valid.
				...(lapse ? { restored: true, lapsed_from: lapse.from, lapse_days: lapse.days } : {}),
				reason,
				...(evaluationId ? { evaluationId } : {}),
				...proposed
			}
		});
		// The decision is the evaluation's last step (ISO/IEC 17021-1 9.5): one whose report was
		// out is closed by it, in the same transaction, with an audit entry naming the decision.
		if (evaluation && evaluation.status === 'report_issued') {
			const closed = await updateEvaluationStatus(tx, evaluation.id, evaluation.version, 'closed');
			if (!closed) throw staleVersion();
			await auditAs(tx, actor, 'evaluation.close', 'evaluation', evaluation.id, {
				before: { status: evaluation.status },
				after: { status: closed.status, decisionId: decision.id }
			});
		}
		await decisionTakenMessage(tx, actor, {
			id: decision.id,
			certificateId: certificate.id,
			kind: input.kind
		});
		return {
			decisionId: decision.id,
			certificateId: certificate.id,
			status: after.status,
			version: after.version
		};
	});
}
