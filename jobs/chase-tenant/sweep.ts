import type { AppDatabase, Tx } from '../../src/lib/server/db/tenant-scope';
import type { RecipientRow } from '../../src/lib/server/repositories/recipients';
import {
	organisationRecipients,
	usersAsRecipients,
	usersWithRoles
} from '../../src/lib/server/repositories/recipients';
import {
	expireCertificate,
	flagSuspensionDue,
	followUpChecksDue,
	insertReminders,
	openNonconformitiesDueBy,
	proposeWithdrawal,
	regradeMinorToMajor,
	reminderKeyString,
	reopenVerification,
	watchedCertificates,
	type ReminderKey
} from '../../src/lib/server/repositories/chase';
import {
	activeObligations,
	insertDueItems,
	unfulfilledDueItemsBy
} from '../../src/lib/server/repositories/obligations';
import { findSchemeRules } from '../../src/lib/server/repositories/scheme-rules';
import { recordAudit } from '../../src/lib/server/repositories/audit';
import { findTenantForMail } from '../../src/lib/server/repositories/recipients';
import { rolesFor } from '../../src/lib/server/domain/permissions';
import { addDays, daysBetween, todayInZone } from '../../src/lib/server/domain/calendar';
import type { SchemeRules } from '../../src/lib/server/domain/scheme-rules';
import { nonconformityStages } from '../../src/lib/server/domain/clocks/nonconformity';
import {
	expiryStages,
	withdrawalProposalStage
} from '../../src/lib/server/domain/clocks/certificate';
import { surveillanceStage } from '../../src/lib/server/domain/clocks/surveillance';
import { followUpStage } from '../../src/lib/server/domain/clocks/follow-up';
import {
	obligationReminderStage,
	periodsToGenerate
} from '../../src/lib/server/domain/clocks/obligations';
import {
	resolvedMessage,
	tenantMailContext,
	writeMessages,
	type ResolvedMessage,
	type TenantMailContext
} from '../../src/lib/server/mail/outbox';

/*
 * One tenant's sweep: ask the database which (subject, stage) pairs are due today in the tenant's
 * time zone, and for each write its reminder row, its domain change (with the audit entry) and its
 * messages in one transaction. The reminder's unique key (tenant, subject, stage, due date) is
 * taken first: a stage another worker, an earlier attempt or a parallel sweep already recorded
 * does nothing here. Subjects are read FOR SHARE in the writing transaction, so the due date a
 * stage is computed from is the one committed.
 */

const PAGE = 500;

export interface SweepResult {
	today: string;
	fired: number;
	/** Outbox rows now pending delivery. */
	outboxIds: string[];
}

/** A stage to fire: its key, and what firing it writes (domain change, audit, messages). */
interface Fire {
	key: ReminderKey;
	run(tx: Tx): Promise<ResolvedMessage[]>;
}

/**
 * Who hears what; looked up once per sweep, in the sweep's own transaction (the embedded
 * database has one connection: a second transaction inside the first would wait forever).
 */
class Audience {
	#org = new Map<string, RecipientRow[]>();
	#users = new Map<string, RecipientRow[]>();
	#roles = new Map<string, RecipientRow[]>();
	async organisation(tx: Tx, organisationId: string) {
		let hit = this.#org.get(organisationId);
		if (!hit) {
			hit = await organisationRecipients(tx, organisationId);
			this.#org.set(organisationId, hit);
		}
		return hit;
	}
	async user(tx: Tx, userId: string | null): Promise<RecipientRow[]> {
		if (!userId) return [];
		let hit = this.#users.get(userId);
		if (!hit) {
			hit = await usersAsRecipients(tx, [userId]);
			this.#users.set(userId, hit);
		}
		return hit;
	}
	async role(tx: Tx, capability: 'chase.alerts' | 'chase.withdrawalProposals') {
		let hit = this.#roles.get(capability);
		if (!hit) {
			hit = await usersWithRoles(tx, rolesFor(capability));
			this.#roles.set(capability, hit);
		}
		return hit;
	}
}

const dedupe = (key: ReminderKey) => `reminder:${reminderKeyString(key)}`;

/** Writes `fires` in one transaction: reminders first, then only the recorded ones' effects. */
async function fireAll(
	tx: Tx,
	context: TenantMailContext,
	today: string,
	fires: Fire[]
): Promise<{ fired: number; outboxIds: string[] }> {
	if (fires.length === 0) return { fired: 0, outboxIds: [] };
	const recorded = await insertReminders(
		tx,
		context.tenantId,
		today,
		fires.map((fire) => fire.key)
	);
	const messages: ResolvedMessage[] = [];
	let fired = 0;
	for (const fire of fires) {
		if (!recorded.has(reminderKeyString(fire.key))) continue;
		fired++;
		messages.push(...(await fire.run(tx)));
	}
	return { fired, outboxIds: await writeMessages(tx, context, messages) };
}

export async function sweepTenant(
	db: AppDatabase,
	tenantId: string,
	now: Date = new Date()
): Promise<SweepResult> {
	const scope = { tenantId, userId: null };
	const { context, timeZone } = await db.inTenant(scope, async (tx) => ({
		context: await tenantMailContext(tx, tenantId),
		timeZone: (await findTenantForMail(tx, tenantId)).time_zone
	}));
	const today = todayInZone(now, timeZone);
	const audience = new Audience();
	const rulesCache = new Map<string, SchemeRules>();
	const rulesOf = async (tx: Tx, standardId: string) => {
		let rules = rulesCache.get(standardId);
		if (!rules) {
			rules = await findSchemeRules(tx, standardId);
			rulesCache.set(standardId, rules);
		}
		return rules;
	};
	const result: SweepResult = { today, fired: 0, outboxIds: [] };
	const add = (part: { fired: number; outboxIds: string[] }) => {
		result.fired += part.fired;
		result.outboxIds.push(...part.outboxIds);
	};

	// Nonconformities, page by page: reminders, escalation, suspension due, regrade.
	const lastReminderDay = addDays(today, 14);
	let afterId: string | null = null;
	for (;;) {
		const page = await db.inTenant(scope, async (tx) => {
			const rows = await openNonconformitiesDueBy(tx, lastReminderDay, afterId, PAGE);
			const fires: Fire[] = [];
			for (const row of rows) {
				if (!row.due_on || !row.grade) continue;
				const rules = await rulesOf(tx, row.standard_id);
				const stages = nonconformityStages({ dueOn: row.due_on, grade: row.grade }, rules, today);
				const link = `/findings/${row.id}`;
				const organisation = await audience.organisation(tx, row.organisation_id);
				const common = { reference: row.reference, dueOn: row.due_on };
				if (stages.reminder) {
					const key: ReminderKey = {
						subjectKind: 'finding',
						subjectId: row.id,
						stage: stages.reminder.stage,
						dueOn: row.due_on
					};
					const left = daysBetween(today, row.due_on);
					const message =
						left > 0
							? resolvedMessage(
									'finding.due_reminder',
									{ ...common, days: left, statement: row.statement },
									{ recipients: organisation, link, dedupeKey: dedupe(key) }
								)
							: left === 0
								? resolvedMessage(
										'finding.due_today',
										{ ...common, statement: row.statement },
										{ recipients: organisation, link, dedupeKey: dedupe(key) }
									)
								: resolvedMessage(
										'finding.overdue',
										{ ...common, days: -left, statement: row.statement },
										{ recipients: organisation, link, dedupeKey: dedupe(key) }
									);
					fires.push({ key, run: async () => [message] });
				}
				if (stages.escalation) {
					const key: ReminderKey = {
						subjectKind: 'finding',
						subjectId: row.id,
						stage: 'escalation',
						dueOn: row.due_on
					};
					const lead = await audience.user(tx, row.lead_user_id);
					fires.push({
						key,
						run: async () => [
							resolvedMessage(
								'finding.escalation',
								{
									...common,
									organisation: row.organisation_name,
									days: daysBetween(row.due_on!, today)
								},
								{ recipients: lead, link, dedupeKey: dedupe(key) }
							)
						]
					});
				}
				const suspension = stages.suspensionDue;
				if (suspension && row.certificate_id) {
					const key: ReminderKey = {
						subjectKind: 'finding',
						subjectId: row.id,
						stage: suspension.stage,
						dueOn: row.due_on
					};
					const admins = await audience.role(tx, 'chase.alerts');
					const certificateId = row.certificate_id;
					fires.push({
						key,
						run: async (tx) => {
							const flagged = await flagSuspensionDue(tx, certificateId, suspension.suspendBy);
							await recordAudit(tx, {
								tenantId,
								actorUserId: null,
								action: 'certificate.suspension_due',
								entityType: 'certificate',
								entityId: certificateId,
								before: { suspension_due_by: row.suspension_due_by },
								after: {
									suspension_due_by: flagged?.suspension_due_by ?? suspension.suspendBy,
									finding_id: row.id,
									rule: 'suspend_within_days',
									suspend_within_days: rules.suspendWithinDays
								}
							});
							return [
								resolvedMessage(
									'finding.suspension_due',
									{
										...common,
										organisation: row.organisation_name,
										certificate: row.certificate_number ?? '',
										suspendBy: suspension.suspendBy
									},
									{
										recipients: admins,
										link: `/certificates/${certificateId}`,
										dedupeKey: dedupe(key)
									}
								)
							];
						}
					});
				}
				if (stages.regrade) {
					const key: ReminderKey = {
						subjectKind: 'finding',
						subjectId: row.id,
						stage: stages.regrade.stage,
						dueOn: row.due_on
					};
					const lead = await audience.user(tx, row.lead_user_id);
					fires.push({
						key,
						run: async (tx) => {
							const changed = await regradeMinorToMajor(tx, row.id, today);
							if (!changed) return [];
							await recordAudit(tx, {
								tenantId,
								actorUserId: null,
								action: 'finding.regrade_by_rule',
								entityType: 'finding',
								entityId: row.id,
								before: { grade: 'minor', version: row.version },
								after: {
									grade: 'major',
									version: changed.version,
									reason: 'scheme rule overdue_minor_becomes_major',
									rule: 'overdue_minor_becomes_major',
									due_on: row.due_on
								}
							});
							return [
								resolvedMessage(
									'finding.regraded',
									{ ...common, organisation: row.organisation_name },
									{ recipients: [...organisation, ...lead], link, dedupeKey: dedupe(key) }
								)
							];
						}
					});
				}
			}
			return {
				rows: rows.length,
				last: rows.at(-1)?.id ?? null,
				out: await fireAll(tx, context, today, fires)
			};
		});
		add(page.out);
		if (page.rows < PAGE || !page.last) break;
		afterId = page.last;
	}

	// Follow-up effectiveness checks.
	add(
		await db.inTenant(scope, async (tx) => {
			const fires: Fire[] = [];
			for (const row of await followUpChecksDue(tx, today)) {
				const stage = followUpStage(row.follow_up_check_on!, today);
				if (!stage) continue;
				const key: ReminderKey = {
					subjectKind: 'finding',
					subjectId: row.id,
					stage: stage.stage,
					dueOn: stage.dueOn
				};
				const evaluator = await audience.user(tx, row.verifier_user_id ?? row.lead_user_id);
				fires.push({
					key,
					run: async (tx) => {
						await reopenVerification(tx, row.id, today);
						await recordAudit(tx, {
							tenantId,
							actorUserId: null,
							action: 'finding.verification_reopen',
							entityType: 'finding',
							entityId: row.id,
							before: { verification_reopened_on: row.verification_reopened_on },
							after: {
								verification_reopened_on: today,
								follow_up_check_on: row.follow_up_check_on,
								reason: 'follow-up effectiveness check due'
							}
						});
						return [
							resolvedMessage(
								'finding.follow_up_check',
								{
									reference: row.reference,
									organisation: row.organisation_name,
									checkOn: row.follow_up_check_on!
								},
								{ recipients: evaluator, link: `/findings/${row.id}`, dedupeKey: dedupe(key) }
							)
						];
					}
				});
			}
			return fireAll(tx, context, today, fires);
		})
	);

	// Certificates: expiry, withdrawal proposals, surveillance.
	add(
		await db.inTenant(scope, async (tx) => {
			const fires: Fire[] = [];
			for (const row of await watchedCertificates(tx)) {
				const rules = await rulesOf(tx, row.standard_id);
				const link = `/certificates/${row.id}`;
				const named = { certificate: row.number, organisation: row.organisation_name };
				const admins = await audience.role(tx, 'chase.alerts');
				const expiry = expiryStages({ expiresOn: row.expires_on }, today);
				if (expiry.expire) {
					const key: ReminderKey = {
						subjectKind: 'certificate',
						subjectId: row.id,
						stage: expiry.expire.stage,
						dueOn: row.expires_on
					};
					const organisation = await audience.organisation(tx, row.organisation_id);
					fires.push({
						key,
						run: async (tx) => {
							const expired = await expireCertificate(tx, tenantId, row.id, today);
							if (!expired) return [];
							await recordAudit(tx, {
								tenantId,
								actorUserId: null,
								action: 'certificate.expire',
								entityType: 'certificate',
								entityId: row.id,
								before: { status: expired.fromStatus },
								after: { status: 'expired', expires_on: row.expires_on, reason: 'validity ended' }
							});
							return [
								resolvedMessage(
									'certificate.expired',
									{ ...named, expiresOn: row.expires_on },
									{ recipients: [...organisation, ...admins], link, dedupeKey: dedupe(key) }
								)
							];
						}
					});
					continue;
				}
				if (expiry.reminder && row.status === 'active') {
					const key: ReminderKey = {
						subjectKind: 'certificate',
						subjectId: row.id,
						stage: expiry.reminder.stage,
						dueOn: row.expires_on
					};
					const organisation = await audience.organisation(tx, row.organisation_id);
					const months = Number(expiry.reminder.stage.replace(/\D/g, ''));
					fires.push({
						key,
						run: async () => [
							resolvedMessage(
								'certificate.expiry_reminder',
								{ ...named, months, expiresOn: row.expires_on },
								{ recipients: [...organisation, ...admins], link, dedupeKey: dedupe(key) }
							)
						]
					});
				}
				if (row.status === 'suspended' && row.suspended_on) {
					const suspendedOn = String(row.suspended_on).slice(0, 10);
					const stage = withdrawalProposalStage(suspendedOn, rules, today);
					if (stage) {
						const key: ReminderKey = {
							subjectKind: 'certificate',
							subjectId: row.id,
							stage: stage.stage,
							dueOn: stage.dueOn
						};
						const deciders = await audience.role(tx, 'chase.withdrawalProposals');
						fires.push({
							key,
							run: async (tx) => {
								await proposeWithdrawal(tx, row.id, today);
								await recordAudit(tx, {
									tenantId,
									actorUserId: null,
									action: 'certificate.withdrawal_propose',
									entityType: 'certificate',
									entityId: row.id,
									before: { withdrawal_proposed_on: row.withdrawal_proposed_on },
									after: {
										withdrawal_proposed_on: today,
										suspended_on: suspendedOn,
										rule: 'max_suspension_months',
										max_suspension_months: rules.maxSuspensionMonths
									}
								});
								return [
									resolvedMessage(
										'certificate.withdrawal_proposal',
										{ ...named, suspendedOn, months: rules.maxSuspensionMonths },
										{ recipients: deciders, link, dedupeKey: dedupe(key) }
									)
								];
							}
						});
					}
				}
				if (row.status === 'active') {
					const surveillance = surveillanceStage(
						{
							issuedOn: row.issued_on,
							decidedOn: row.decided_on,
							lastSurveillanceEndedOn: row.last_surveillance_ended_on
								? String(row.last_surveillance_ended_on).slice(0, 10)
								: null
						},
						rules,
						today
					);
					// Surveillance falls due within the certificate's validity only.
					if (surveillance.stage && surveillance.dueOn <= row.expires_on) {
						const key: ReminderKey = {
							subjectKind: 'surveillance',
							subjectId: row.id,
							stage: surveillance.stage.stage,
							dueOn: surveillance.dueOn
						};
						const lead = await audience.user(tx, row.last_lead_user_id);
						const left = daysBetween(today, surveillance.dueOn);
						const message =
							left >= 0
								? resolvedMessage(
										'surveillance.due_reminder',
										{ ...named, days: left, dueOn: surveillance.dueOn },
										{ recipients: [...admins, ...lead], link, dedupeKey: dedupe(key) }
									)
								: resolvedMessage(
										'surveillance.overdue',
										{ ...named, days: -left, dueOn: surveillance.dueOn },
										{ recipients: [...admins, ...lead], link, dedupeKey: dedupe(key) }
									);
						fires.push({ key, run: async () => [message] });
					}
				}
			}
			return fireAll(tx, context, today, fires);
		})
	);

	// Recurring obligations: generate the periods' due items, then remind of unfulfilled ones.
	add(
		await db.inTenant(scope, async (tx) => {
			const wanted = (await activeObligations(tx)).flatMap((obligation) =>
				periodsToGenerate(
					{
						cadence: obligation.cadence,
						dueDay: obligation.due_day,
						startsOn: obligation.starts_on
					},
					today
				).map((period) => ({ obligationId: obligation.id, ...period }))
			);
			for (const item of await insertDueItems(tx, tenantId, wanted))
				await recordAudit(tx, {
					tenantId,
					actorUserId: null,
					action: 'obligation.due_item_create',
					entityType: 'obligation_due_item',
					entityId: item.id,
					after: {
						obligation_id: item.obligation_id,
						period_start: item.period_start,
						due_on: item.due_on
					}
				});
			const fires: Fire[] = [];
			for (const row of await unfulfilledDueItemsBy(tx, addDays(today, 3))) {
				const stage = obligationReminderStage(row.due_on, today);
				if (!stage) continue;
				const key: ReminderKey = {
					subjectKind: 'obligation_item',
					subjectId: row.id,
					stage: stage.stage,
					dueOn: row.due_on
				};
				const organisation = await audience.organisation(tx, row.organisation_id);
				const left = daysBetween(today, row.due_on);
				const link = `/organisations/${row.organisation_id}`;
				const period = {
					periodStart: row.period_start,
					periodEnd: row.period_end,
					dueOn: row.due_on
				};
				// The title in the recipient's language is not known per row here: the Chinese
				// title is the seed's own; the English one, when set, follows it.
				const obligation = row.title_en ? `${row.title_zh} / ${row.title_en}` : row.title_zh;
				const message =
					left >= 0
						? resolvedMessage(
								'obligation.due_reminder',
								{ obligation, ...period },
								{ recipients: organisation, link, dedupeKey: dedupe(key) }
							)
						: resolvedMessage(
								'obligation.overdue',
								{ obligation, days: -left, ...period },
								{ recipients: organisation, link, dedupeKey: dedupe(key) }
							);
				fires.push({ key, run: async () => [message] });
			}
			return fireAll(tx, context, today, fires);
		})
	);
	return result;
}
