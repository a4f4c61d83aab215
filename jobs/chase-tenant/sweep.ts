import type { AppDatabase, Tx } from '../../src/lib/server/db/tenant-scope';
import type { RecipientRow } from '../../src/lib/server/repositories/recipients';
import {
	organisationRecipients,
	usersAsRecipients,
	usersWithRoles
} from '../../src/lib/server/repositories/recipients';
import {
	expireCertificate,
	fireDueReminders,
	flagSuspensionDue,
	followUpChecksDue,
	insertReminders,
	openNonconformitiesDueBy,
	openNonconformityDueDates,
	proposeWithdrawal,
	regradeMinorToMajor,
	reminderKeyString,
	reopenVerification,
	watchedCertificates,
	type BulkReminderRecipient,
	type BulkReminderStage,
	type BulkReminderWording,
	type ReminderKey
} from '../../src/lib/server/repositories/chase';
import type { Locale } from '../../db/schema';
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
	absolute,
	distinctRecipients,
	mailHost,
	mailOrigin,
	markedSummary,
	resolvedMessage,
	writeMessages,
	type ResolvedMessage,
	type TenantMailContext
} from '../../src/lib/server/mail/outbox';
import {
	TEMPLATES,
	type TemplateName,
	type TemplateParams
} from '../../src/lib/server/mail/templates';

/*
 * One tenant's sweep: ask the database which (subject, stage) pairs are due today in the tenant's
 * time zone, and for each write its reminder row, its domain change (with the audit entry) and its
 * messages in one transaction. The reminder's unique key (tenant, subject, stage, due date) is
 * taken first: a stage another worker, an earlier attempt or a parallel sweep already recorded
 * does nothing here. Subjects are read FOR SHARE in the writing transaction, so the due date a
 * stage is computed from is the one committed — except the nonconformities' reminders to the
 * organisation, the bulk of the sweep: their stages depend on the due date alone, so they are
 * computed once per due date and the database writes every finding's reminder, outbox rows and
 * notifications in one statement that re-reads the due date (repositories/chase
 * fireDueReminders says why that needs no lock).
 */

const PAGE = 1000;
const LOCALES: Locale[] = ['zh-CN', 'en'];
/** What the database fills in per finding in a bulk reminder's texts. */
const ROW_FIELDS = ['reference', 'statement'] as const;
/** The values fireDueReminders can put in a bulk reminder's params. */
const BULK_VALUES = ['reference', 'days', 'dueOn', 'statement'];

/** The organisation's reminder for a nonconformity due on `dueOn`, seen on `today`. */
function reminderTemplate(dueOn: string, today: string) {
	const left = daysBetween(today, dueOn);
	return left > 0
		? { template: 'finding.due_reminder' as const, days: left }
		: left === 0
			? { template: 'finding.due_today' as const, days: null }
			: { template: 'finding.overdue' as const, days: -left };
}

export interface SweepResult {
	today: string;
	fired: number;
	/** Outbox rows now pending delivery. */
	outboxIds: string[];
}

/**
 * A stage due now: its reminder key, and what firing it writes besides the reminder row (the
 * domain change with its audit entry, if any) and the messages it sends. `run` is called only
 * when this transaction recorded the key, with the key's dedupe key for the messages.
 */
interface Fire {
	key: ReminderKey;
	run(tx: Tx, dedupeKey: string): Promise<ResolvedMessage[]> | ResolvedMessage[];
}

/** What every clock has: a key for each due stage and the effect of firing it. */
function due(
	subjectKind: ReminderKey['subjectKind'],
	subjectId: string,
	stage: string,
	dueOn: string,
	run: Fire['run']
): Fire {
	return { key: { subjectKind, subjectId, stage, dueOn }, run };
}

/** A message-only effect: the stage sends `template` and changes nothing else. */
function send<T extends TemplateName>(
	template: T,
	params: TemplateParams<T>,
	recipients: RecipientRow[],
	link: string
): Fire['run'] {
	return (_tx, dedupeKey) => [resolvedMessage(template, params, { recipients, link, dedupeKey })];
}

/**
 * One clock of the chase: reads its due subjects a page at a time (`after` is the last id of the
 * previous page) in the writing transaction, and says which stages are due.
 */
interface Clock {
	name: string;
	read(tx: Tx, after: string | null): Promise<{ fires: Fire[]; last: string | null }>;
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

/**
 * Writes `fires` in the page's transaction: all reminder rows in one multi-row insert (ON
 * CONFLICT DO NOTHING on the unique key), then only the recorded ones' effects, then all their
 * messages rendered and written to the outbox in bulk.
 */
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
		messages.push(...(await fire.run(tx, dedupe(fire.key))));
	}
	return { fired, outboxIds: await writeMessages(tx, context, messages) };
}

/*
 * Nonconformities in bulk: the reminder stage of every due date (the same for each finding due
 * that day), written by the database for all of them. A due date whose texts the database
 * cannot fill in, or with a stage besides the reminder (escalation, suspension due, regrade:
 * each has its own recipients or effect), goes to the per-row clock below.
 */
async function remindInBulk(
	tx: Tx,
	context: TenantMailContext,
	today: string,
	lookups: { audience: Audience; rulesOf: (tx: Tx, standardId: string) => Promise<SchemeRules> }
): Promise<{
	fired: number;
	outboxIds: string[];
	bulkDates: Set<string>;
	perRowDates: Set<string>;
}> {
	const { audience, rulesOf } = lookups;
	const bulkDates = new Set<string>();
	const perRowDates = new Set<string>();
	const stages: BulkReminderStage[] = [];
	const wording: BulkReminderWording[] = [];
	const organisations = new Set<string>();
	const planned = new Set<string>();
	for (const row of await openNonconformityDueDates(tx, addDays(today, 14))) {
		if (!row.due_on || !row.grade) continue;
		const dueOn = row.due_on;
		const rules = await rulesOf(tx, row.standard_id);
		const found = nonconformityStages({ dueOn, grade: row.grade }, rules, today);
		if (found.escalation || found.suspensionDue || found.regrade) perRowDates.add(dueOn);
		if (!found.reminder) continue;
		organisations.add(row.organisation_id);
		if (planned.has(dueOn)) continue;
		planned.add(dueOn);
		const { template, days } = reminderTemplate(dueOn, today);
		const values = { dueOn, ...(days === null ? {} : { days }) };
		const texts = LOCALES.map((locale) => ({
			locale,
			text: markedSummary(template, values, ROW_FIELDS, locale)
		}));
		if (texts.some((t) => !t.text)) {
			perRowDates.add(dueOn);
			continue;
		}
		bulkDates.add(dueOn);
		const shown: readonly string[] = TEMPLATES[template];
		stages.push({
			dueOn,
			stage: found.reminder.stage,
			template,
			days,
			drop: BULK_VALUES.filter((value) => !shown.includes(value))
		});
		for (const { locale, text } of texts) wording.push({ dueOn, locale, ...text! });
	}
	const recipients: BulkReminderRecipient[] = [];
	for (const organisationId of organisations)
		for (const recipient of distinctRecipients(await audience.organisation(tx, organisationId)))
			recipients.push({
				organisationId,
				email: recipient.email,
				address: recipient.email.toLowerCase(),
				name: recipient.name,
				userId: recipient.userId,
				locale: recipient.locale ?? context.defaultLocale,
				status: recipient.mailMode === 'digest' && recipient.userId ? 'held' : 'pending'
			});
	const written = await fireDueReminders(tx, {
		tenantId: context.tenantId,
		firedOn: today,
		tenantName: context.tenantName,
		linkPrefix: absolute(context.origin, '/findings/'),
		host: mailHost(context.origin),
		stages,
		wording,
		recipients
	});
	return { ...written, bulkDates, perRowDates };
}

export async function sweepTenant(
	db: AppDatabase,
	tenantId: string,
	now: Date = new Date()
): Promise<SweepResult> {
	const scope = { tenantId, userId: null };
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
	const audit = (
		tx: Tx,
		entry: Omit<Parameters<typeof recordAudit>[1], 'tenantId' | 'actorUserId'>
	) => recordAudit(tx, { tenantId, actorUserId: null, ...entry });

	// The tenant's calendar and the bulk of the sweep share the first transaction.
	const { context, today, bulk } = await db.inTenant(scope, async (tx) => {
		const tenant = await findTenantForMail(tx, tenantId);
		const context: TenantMailContext = {
			tenantId,
			tenantName: tenant.name,
			defaultLocale: tenant.default_locale,
			origin: mailOrigin()
		};
		const today = todayInZone(now, tenant.time_zone);
		return { context, today, bulk: await remindInBulk(tx, context, today, { audience, rulesOf }) };
	});
	const { bulkDates, perRowDates } = bulk;

	/** Nonconformities: escalation, suspension due, regrade (and reminders not sent in bulk). */
	const nonconformities: Clock = {
		name: 'nonconformities',
		async read(tx, after) {
			const rows = await openNonconformitiesDueBy(tx, addDays(today, 14), after, PAGE, [
				...perRowDates
			]);
			const fires: Fire[] = [];
			for (const row of rows) {
				if (!row.due_on || !row.grade) continue;
				const dueOn = row.due_on;
				const rules = await rulesOf(tx, row.standard_id);
				const stages = nonconformityStages({ dueOn, grade: row.grade }, rules, today);
				const link = `/findings/${row.id}`;
				const organisation = await audience.organisation(tx, row.organisation_id);
				const common = { reference: row.reference, dueOn };
				const at = (stage: string, run: Fire['run']) => due('finding', row.id, stage, dueOn, run);
				if (stages.reminder && !bulkDates.has(dueOn)) {
					const left = daysBetween(today, dueOn);
					const statement = row.statement;
					fires.push(
						at(
							stages.reminder.stage,
							left > 0
								? send(
										'finding.due_reminder',
										{ ...common, days: left, statement },
										organisation,
										link
									)
								: left === 0
									? send('finding.due_today', { ...common, statement }, organisation, link)
									: send(
											'finding.overdue',
											{ ...common, days: -left, statement },
											organisation,
											link
										)
						)
					);
				}
				if (stages.escalation) {
					const lead = await audience.user(tx, row.lead_user_id);
					const params = {
						...common,
						organisation: row.organisation_name,
						days: daysBetween(dueOn, today)
					};
					fires.push(at('escalation', send('finding.escalation', params, lead, link)));
				}
				const suspension = stages.suspensionDue;
				const certificateId = row.certificate_id;
				if (suspension && certificateId) {
					const admins = await audience.role(tx, 'chase.alerts');
					fires.push(
						at(suspension.stage, async (tx, dedupeKey) => {
							const flagged = await flagSuspensionDue(tx, certificateId, suspension.suspendBy);
							await audit(tx, {
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
							const params = {
								...common,
								organisation: row.organisation_name,
								certificate: row.certificate_number ?? '',
								suspendBy: suspension.suspendBy
							};
							return send(
								'finding.suspension_due',
								params,
								admins,
								`/certificates/${certificateId}`
							)(tx, dedupeKey);
						})
					);
				}
				if (stages.regrade) {
					const lead = await audience.user(tx, row.lead_user_id);
					fires.push(
						at(stages.regrade.stage, async (tx, dedupeKey) => {
							const changed = await regradeMinorToMajor(tx, row.id, today);
							if (!changed) return [];
							await audit(tx, {
								action: 'finding.regrade_by_rule',
								entityType: 'finding',
								entityId: row.id,
								before: { grade: 'minor', version: row.version },
								after: {
									grade: 'major',
									version: changed.version,
									reason: 'scheme rule overdue_minor_becomes_major',
									rule: 'overdue_minor_becomes_major',
									due_on: dueOn
								}
							});
							const params = { ...common, organisation: row.organisation_name };
							return send(
								'finding.regraded',
								params,
								[...organisation, ...lead],
								link
							)(tx, dedupeKey);
						})
					);
				}
			}
			return { fires, last: rows.length === PAGE ? (rows.at(-1)?.id ?? null) : null };
		}
	};

	/** Follow-up effectiveness checks: verification reopens on the day. */
	const followUps: Clock = {
		name: 'follow-up checks',
		async read(tx) {
			const fires: Fire[] = [];
			for (const row of await followUpChecksDue(tx, today)) {
				const checkOn = row.follow_up_check_on!;
				const stage = followUpStage(checkOn, today);
				if (!stage) continue;
				const evaluator = await audience.user(tx, row.verifier_user_id ?? row.lead_user_id);
				fires.push(
					due('finding', row.id, stage.stage, stage.dueOn, async (tx, dedupeKey) => {
						await reopenVerification(tx, row.id, today);
						await audit(tx, {
							action: 'finding.verification_reopen',
							entityType: 'finding',
							entityId: row.id,
							before: { verification_reopened_on: row.verification_reopened_on },
							after: {
								verification_reopened_on: today,
								follow_up_check_on: checkOn,
								reason: 'follow-up effectiveness check due'
							}
						});
						const params = {
							reference: row.reference,
							organisation: row.organisation_name,
							checkOn
						};
						return send(
							'finding.follow_up_check',
							params,
							evaluator,
							`/findings/${row.id}`
						)(tx, dedupeKey);
					})
				);
			}
			return { fires, last: null };
		}
	};

	/** Certificates: expiry, withdrawal proposals, surveillance. */
	const certificates: Clock = {
		name: 'certificates',
		async read(tx) {
			const fires: Fire[] = [];
			for (const row of await watchedCertificates(tx)) {
				const rules = await rulesOf(tx, row.standard_id);
				const link = `/certificates/${row.id}`;
				const named = { certificate: row.number, organisation: row.organisation_name };
				const admins = await audience.role(tx, 'chase.alerts');
				const expiry = expiryStages({ expiresOn: row.expires_on }, today);
				if (expiry.expire) {
					const organisation = await audience.organisation(tx, row.organisation_id);
					fires.push(
						due('certificate', row.id, expiry.expire.stage, row.expires_on, async (tx, key) => {
							const expired = await expireCertificate(
								tx,
								tenantId,
								row.id,
								addDays(row.expires_on, 1)
							);
							if (!expired) return [];
							await audit(tx, {
								action: 'certificate.expire',
								entityType: 'certificate',
								entityId: row.id,
								before: { status: expired.fromStatus },
								after: { status: 'expired', expires_on: row.expires_on, reason: 'validity ended' }
							});
							const params = { ...named, expiresOn: row.expires_on };
							return send(
								'certificate.expired',
								params,
								[...organisation, ...admins],
								link
							)(tx, key);
						})
					);
					continue;
				}
				if (expiry.reminder && row.status === 'active') {
					const organisation = await audience.organisation(tx, row.organisation_id);
					const months = Number(expiry.reminder.stage.replace(/\D/g, ''));
					const params = { ...named, months, expiresOn: row.expires_on };
					fires.push(
						due(
							'certificate',
							row.id,
							expiry.reminder.stage,
							row.expires_on,
							send('certificate.expiry_reminder', params, [...organisation, ...admins], link)
						)
					);
				}
				if (row.status === 'suspended' && row.suspended_on) {
					const suspendedOn = String(row.suspended_on).slice(0, 10);
					const stage = withdrawalProposalStage(suspendedOn, rules, today);
					if (stage) {
						const deciders = await audience.role(tx, 'chase.withdrawalProposals');
						fires.push(
							due('certificate', row.id, stage.stage, stage.dueOn, async (tx, dedupeKey) => {
								await proposeWithdrawal(tx, row.id, today);
								await audit(tx, {
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
								const params = { ...named, suspendedOn, months: rules.maxSuspensionMonths };
								return send(
									'certificate.withdrawal_proposal',
									params,
									deciders,
									link
								)(tx, dedupeKey);
							})
						);
					}
				}
				if (row.status === 'active') {
					const surveillance = surveillanceStage(
						{
							issuedOn: row.issued_on,
							decidedOn: row.decided_on,
							renewedOn: row.renewed_on,
							lastSurveillanceEndedOn: row.last_surveillance_ended_on
								? String(row.last_surveillance_ended_on).slice(0, 10)
								: null
						},
						rules,
						today
					);
					// Surveillance falls due within the certificate's validity only.
					if (surveillance.stage && surveillance.dueOn <= row.expires_on) {
						const lead = await audience.user(tx, row.last_lead_user_id);
						const left = daysBetween(today, surveillance.dueOn);
						const recipients = [...admins, ...lead];
						const dueOn = surveillance.dueOn;
						fires.push(
							due(
								'surveillance',
								row.id,
								surveillance.stage.stage,
								dueOn,
								left >= 0
									? send(
											'surveillance.due_reminder',
											{ ...named, days: left, dueOn },
											recipients,
											link
										)
									: send('surveillance.overdue', { ...named, days: -left, dueOn }, recipients, link)
							)
						);
					}
				}
			}
			return { fires, last: null };
		}
	};

	/** Recurring obligations: generate the periods' due items, then remind of unfulfilled ones. */
	const obligations: Clock = {
		name: 'obligations',
		async read(tx) {
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
				await audit(tx, {
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
				const organisation = await audience.organisation(tx, row.organisation_id);
				const left = daysBetween(today, row.due_on);
				// The organisation fulfils the item on its obligations page (it cannot open the
				// body's organisation page).
				const link = '/obligations';
				const period = {
					periodStart: row.period_start,
					periodEnd: row.period_end,
					dueOn: row.due_on
				};
				// Both titles: each recipient's message shows the one in their language.
				const title = { obligation: row.title_zh, obligationEn: row.title_en ?? '' };
				fires.push(
					due(
						'obligation_item',
						row.id,
						stage.stage,
						row.due_on,
						left >= 0
							? send('obligation.due_reminder', { ...title, ...period }, organisation, link)
							: send('obligation.overdue', { ...title, days: -left, ...period }, organisation, link)
					)
				);
			}
			return { fires, last: null };
		}
	};

	// The per-row clocks: each page reads its due subjects (FOR SHARE: the committed dates) and
	// writes their reminder rows, effects and outbox rows in one transaction. The nonconformities
	// page by id (only when a due date needs them); the other clocks read a handful of rows in one
	// page each and share one transaction (a round trip per clock saved on every tenant).
	const result: SweepResult = { today, fired: bulk.fired, outboxIds: [...bulk.outboxIds] };
	const page = async (tx: Tx, clock: Clock, after: string | null) => {
		const { fires, last } = await clock.read(tx, after);
		return { ...(await fireAll(tx, context, today, fires)), last };
	};
	const add = (written: { fired: number; outboxIds: string[] }) => {
		result.fired += written.fired;
		result.outboxIds.push(...written.outboxIds);
	};
	let after: string | null = null;
	while (perRowDates.size > 0) {
		const written: { fired: number; outboxIds: string[]; last: string | null } = await db.inTenant(
			scope,
			(tx) => page(tx, nonconformities, after)
		);
		add(written);
		after = written.last;
		if (!after) break;
	}
	const rest = await db.inTenant(scope, async (tx) => {
		const all = [];
		for (const clock of [followUps, certificates, obligations])
			all.push(await page(tx, clock, null));
		return all;
	});
	rest.forEach(add);
	return result;
}
