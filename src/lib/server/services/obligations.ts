import type { AppDatabase, Tx } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import { todayInZone } from '../domain/calendar';
import { can, mayEver, rolesFor } from '../domain/permissions';
import {
	displayStatusOf,
	raiseAsFindingRefusal,
	reviewTransition,
	standingOf,
	submitTransition,
	type DueItemDisplayStatus,
	type DueItemStanding
} from '../domain/obligation-items';
import { forbidden, notFound, Refusal } from '../errors';
import { auditAs } from './audit-entry';
import { listOrganisationChoices } from '../repositories/evaluations';
import * as repo from '../repositories/obligations';
import { organisationName } from '../repositories/event-recipients';
import { organisationUsers, reminderContacts, usersWithRoles } from '../repositories/recipients';
import { authorize } from './authorize';
import { send } from './event-messages';
import { raiseFinding } from './findings';
import { mayCarryFindingInto } from '../domain/evaluation-lifecycle';
import { id as uuid } from './common.schema';
import type { ObligationInput, ObligationUpdate, ReviewDueItemInput } from './obligations.schema';

/*
 * Recurring obligations (issue 7 §3). The sweep (jobs/chase-tenant) creates one due item per
 * period; here the organisation fulfils it with evidence and submits it, the body reads every
 * organisation's items as fulfilled / late / missing, reviews submissions, raises a late item as
 * a finding in the organisation's evaluation under way, and admins keep the obligations.
 */

const isId = (value: string) => uuid.safeParse(value).success;

/** The day a submission was made, in the body's zone (the due day is one there too). */
function dayOf(at: Date | null, actor: Actor): string | null {
	return at ? todayInZone(at, actor.tenant.timeZone) : null;
}

function factsOf(item: Pick<repo.DueItemRow, 'status' | 'due_on' | 'submitted_at'>, actor: Actor) {
	return { status: item.status, dueOn: item.due_on, submittedOn: dayOf(item.submitted_at, actor) };
}

/** An organisation's user sees their own organisation's items; the body's runners see all. */
function authorizeSight(actor: Actor, organisationId: string) {
	if (mayEver(actor, 'obligation.fulfil'))
		authorize(actor, 'obligation.fulfil', { organisationId });
	else authorize(actor, 'obligation.view');
}

async function loadDueItem(tx: Tx, actor: Actor, itemId: string, forUpdate = false) {
	if (!isId(itemId)) throw notFound();
	const item = await repo.findDueItem(tx, itemId, { forUpdate });
	if (!item) throw notFound();
	authorizeSight(actor, item.organisation_id);
	return item;
}

/** The due item, locked, if `actor` may add evidence to it now (the upload asks this). */
export async function dueItemOpenToEvidence(tx: Tx, actor: Actor, itemId: string) {
	if (!isId(itemId)) throw notFound();
	const item = await repo.findDueItem(tx, itemId, { forUpdate: true });
	if (!item) throw notFound();
	if (!mayEver(actor, 'obligation.fulfil')) {
		authorizeSight(actor, item.organisation_id);
		throw forbidden('obligations_error_organisation_only');
	}
	authorize(actor, 'obligation.fulfil', { organisationId: item.organisation_id });
	const transition = submitTransition(item.status, 1);
	if (!transition.ok) throw new Refusal('CONFLICT', transition.reason);
	return item;
}

/** The obligation's titles as the emails take them: each recipient reads theirs. */
const titleOf = (item: { title_zh: string; title_en: string }) => ({
	obligation: item.title_zh,
	obligationEn: item.title_en ?? ''
});

export interface DueItemView {
	id: string;
	obligationId: string;
	organisationId: string;
	organisationName: string;
	titleZh: string;
	titleEn: string;
	cadence: 'weekly' | 'monthly' | 'quarterly';
	periodStart: string;
	periodEnd: string;
	dueOn: string;
	status: repo.DueItemRow['status'];
	displayStatus: DueItemDisplayStatus;
	standing: DueItemStanding;
	submittedOn: string | null;
	reviewComment: string | null;
	raisedFindingId: string | null;
	evidenceCount: number;
	/** What the actor may do with it now (the page's buttons; the services check again). */
	may: { upload: boolean; submit: boolean; review: boolean; raise: boolean };
}

/** How many periods back the pages look. */
const VIEW_LIMIT = 500;

/**
 * Whose due items `actor` reads: an organisation's user their own organisation's (whatever was
 * asked), the body's runners every organisation's or the one asked for.
 */
function dueItemSight(actor: Actor, asked: string | undefined) {
	const organisationSide = mayEver(actor, 'obligation.fulfil');
	if (organisationSide) {
		if (!actor.organisationId) throw notFound();
		authorize(actor, 'obligation.fulfil', { organisationId: actor.organisationId });
		return { organisationSide, organisationId: actor.organisationId };
	}
	authorize(actor, 'obligation.view');
	return { organisationSide, organisationId: asked };
}

/**
 * The obligations page: an organisation's user sees their own items; the body sees every
 * organisation's (or one's), with the obligations admins keep.
 */
export async function listObligationPage(
	db: AppDatabase,
	actor: Actor,
	options: { organisationId?: string } = {},
	now = new Date()
) {
	const { organisationSide, organisationId } = dueItemSight(actor, options.organisationId);
	const today = todayInZone(now, actor.tenant.timeZone);
	return db.inTenant(scopeOf(actor), async (tx) => {
		const rows = await repo.listDueItemsForView(tx, { organisationId, limit: VIEW_LIMIT });
		const items = rows.map((row) => dueItemView(row, actor, today, organisationSide));
		const manage = can(actor, 'obligation.manage');
		return {
			organisationSide,
			today,
			items,
			obligations: organisationSide ? [] : await repo.listObligations(tx, { organisationId }),
			organisations: organisationSide ? [] : await listOrganisationChoices(tx),
			may: { manage }
		};
	});
}

type DueItemListRow = Awaited<ReturnType<typeof repo.listDueItemsForView>>[number];

/** A due item as the obligations page shows it, as of `today` in the body's zone. */
function dueItemView(
	row: DueItemListRow,
	actor: Actor,
	today: string,
	organisationSide: boolean
): DueItemView {
	const facts = factsOf(row, actor);
	const standing = standingOf(facts, today);
	const evidenceCount = Number(row.evidence_count ?? 0);
	const open = submitTransition(row.status, 1).ok;
	return {
		id: row.id,
		obligationId: row.obligation_id,
		organisationId: row.organisation_id,
		organisationName: row.organisation_name,
		titleZh: row.title_zh,
		titleEn: row.title_en,
		cadence: row.cadence,
		periodStart: row.period_start,
		periodEnd: row.period_end,
		dueOn: row.due_on,
		status: row.status,
		displayStatus: displayStatusOf(facts, today),
		standing,
		submittedOn: facts.submittedOn,
		reviewComment: row.review_comment,
		raisedFindingId: row.raised_finding_id,
		evidenceCount,
		may: {
			upload: organisationSide && open,
			submit: organisationSide && open && evidenceCount > 0,
			review: can(actor, 'obligation.review') && row.status === 'submitted',
			raise:
				can(actor, 'obligation.raiseFinding') &&
				raiseAsFindingRefusal(standing, row.raised_finding_id !== null) === null
		}
	};
}

/**
 * Every due item the obligations page's filter keeps (the page shows the newest 500), in its
 * order, batch by batch, each batch in a transaction of its own (the export).
 */
export function dueItemBatches(
	db: AppDatabase,
	actor: Actor,
	options: { organisationId?: string; batchSize?: number } = {},
	now = new Date()
): AsyncGenerator<DueItemView[], void, undefined> {
	const { organisationSide, organisationId } = dueItemSight(actor, options.organisationId);
	const today = todayInZone(now, actor.tenant.timeZone);
	const limit = options.batchSize ?? 1000;
	return (async function* () {
		let after: [string, string, string] | null = null;
		for (;;) {
			const rows = await db.inTenant(scopeOf(actor), (tx) =>
				repo.listDueItemsForView(tx, { organisationId, limit, after })
			);
			if (rows.length > 0)
				yield rows.map((row) => dueItemView(row, actor, today, organisationSide));
			const last = rows.at(-1);
			if (rows.length < limit || !last) return;
			after = [last.period_start, last.title_zh, last.id];
		}
	})();
}

export type ObligationPage = Awaited<ReturnType<typeof listObligationPage>>;

/** One item's evidence files, for whoever may see the item. */
export async function listDueItemEvidence(db: AppDatabase, actor: Actor, itemId: string) {
	return db.inTenant(scopeOf(actor), async (tx) => {
		await loadDueItem(tx, actor, itemId);
		return (await repo.listEvidenceOfDueItem(tx, itemId)).map((row) => ({
			id: row.id,
			originalName: row.original_name,
			sizeBytes: Number(row.size_bytes),
			uploadedAt: row.uploaded_at,
			integrityStatus: row.integrity_status
		}));
	});
}

/** Whether `actor` may see the item (downloads of its evidence ask this). */
export function assertDueItemVisible(tx: Tx, actor: Actor, itemId: string) {
	return loadDueItem(tx, actor, itemId);
}

/** The organisation submits the item's evidence: the item is `submitted`, the body's admins hear. */
export async function submitDueItem(
	db: AppDatabase,
	actor: Actor,
	input: { itemId: string },
	now = new Date()
) {
	if (!mayEver(actor, 'obligation.fulfil')) throw forbidden('obligations_error_organisation_only');
	return db.inTenant(scopeOf(actor), async (tx) => {
		const item = await loadDueItem(tx, actor, input.itemId, true);
		const transition = submitTransition(
			item.status,
			await repo.countEvidenceOfDueItem(tx, item.id)
		);
		if (!transition.ok) throw new Refusal(transition.kind, transition.reason);
		await repo.setDueItemSubmitted(tx, item.id, now);
		await auditAs(tx, actor, 'obligation.submit', 'obligation_due_item', item.id, {
			before: { status: item.status },
			after: { status: transition.status, submitted_at: now.toISOString(), due_on: item.due_on }
		});
		await send(
			tx,
			actor,
			'obligation.submitted',
			{
				...titleOf(item),
				organisation: await organisationName(tx, item.organisation_id),
				periodStart: item.period_start,
				periodEnd: item.period_end
			},
			{
				recipients: await usersWithRoles(tx, rolesFor('obligation.manage')),
				link: `/obligations?organisation=${item.organisation_id}`,
				dedupeKey: `obligation.submitted:${item.id}:${now.getTime()}`
			}
		);
		return { status: transition.status };
	});
}

/** The body accepts a submission, or rejects it with a reason (the item is open again). */
export async function reviewDueItem(
	db: AppDatabase,
	actor: Actor,
	input: ReviewDueItemInput,
	now = new Date()
) {
	authorize(actor, 'obligation.review');
	return db.inTenant(scopeOf(actor), async (tx) => {
		const item = await loadDueItem(tx, actor, input.itemId, true);
		const transition = reviewTransition(item.status, input.verdict === 'accept');
		if (!transition.ok) throw new Refusal(transition.kind, transition.reason);
		const status = transition.status === 'accepted' ? 'accepted' : 'rejected';
		const comment = input.comment || null;
		await repo.setDueItemReviewed(tx, item.id, { status, by: actor.userId, at: now, comment });
		await auditAs(
			tx,
			actor,
			status === 'accepted' ? 'obligation.accept' : 'obligation.reject',
			'obligation_due_item',
			item.id,
			{ before: { status: item.status }, after: { status, comment } }
		);
		if (status === 'rejected')
			await send(
				tx,
				actor,
				'obligation.rejected',
				{
					...titleOf(item),
					periodStart: item.period_start,
					periodEnd: item.period_end,
					comment: comment ?? ''
				},
				{
					recipients: [
						...(await reminderContacts(tx, item.organisation_id)),
						...(await organisationUsers(tx, item.organisation_id, rolesFor('obligation.fulfil')))
					],
					link: '/obligations',
					dedupeKey: `obligation.rejected:${item.id}:${now.getTime()}`
				}
			);
		return { status };
	});
}

/**
 * A late or missing item becomes a nonconformity in the organisation's next evaluation — the one
 * under way, else the next planned one (evaluation-lifecycle `mayCarryFindingInto`) — through
 * the findings service (its rules, reference, due date and audit). Refused when the organisation
 * has neither: an evaluation whose report is issued, or closed, takes no new finding.
 */
export async function raiseDueItemAsFinding(
	db: AppDatabase,
	actor: Actor,
	input: { itemId: string; grade: 'major' | 'minor' },
	now = new Date()
) {
	authorize(actor, 'obligation.raiseFinding');
	const today = todayInZone(now, actor.tenant.timeZone);
	const { item, evaluationId } = await db.inTenant(scopeOf(actor), async (tx) => {
		const item = await loadDueItem(tx, actor, input.itemId);
		const refusal = raiseAsFindingRefusal(
			standingOf(factsOf(item, actor), today),
			item.raised_finding_id !== null
		);
		if (refusal) throw new Refusal('CONFLICT', refusal);
		const evaluation = await repo.nextEvaluationOf(tx, item.organisation_id);
		if (!evaluation) throw new Refusal('CONFLICT', 'obligations_error_no_evaluation');
		// The next evaluation: the one under way, else the next planned one (its plan is open).
		if (!mayCarryFindingInto(evaluation.status))
			throw new Refusal('CONFLICT', 'obligations_error_no_evaluation');
		return { item, evaluationId: evaluation.id };
	});
	const submittedOn = dayOf(item.submitted_at, actor);
	const statement = [
		// A finding's statement is read by both sides: both titles.
		`${item.title_en ? `${item.title_zh} / ${item.title_en}` : item.title_zh}: ${item.period_start} – ${item.period_end}`,
		submittedOn
			? `Due ${item.due_on}, submitted ${submittedOn} (late). / 应于 ${item.due_on} 提交，${submittedOn} 才提交（逾期）。`
			: `Due ${item.due_on}, not submitted. / 应于 ${item.due_on} 提交，未提交。`
	].join('\n');
	const finding = await raiseFinding(
		db,
		actor,
		evaluationId,
		{
			kind: 'nonconformity',
			grade: input.grade,
			statement,
			objectiveEvidence: `obligation_due_item:${item.id}`
		},
		now,
		{ carried: true }
	);
	await db.inTenant(scopeOf(actor), async (tx) => {
		const again = await loadDueItem(tx, actor, item.id, true);
		// Two clicks at once both pass the first check; the second finding stays recorded (and
		// audited) but the item names the first.
		if (again.raised_finding_id) return;
		await repo.setDueItemRaisedFinding(tx, item.id, finding.id);
		await auditAs(tx, actor, 'obligation.raise_finding', 'obligation_due_item', item.id, {
			after: { finding_id: finding.id, evaluation_id: evaluationId }
		});
	});
	return { findingId: finding.id, evaluationId };
}

/** Admins give an organisation a recurring obligation; the sweep makes its due items. */
export async function createObligation(db: AppDatabase, actor: Actor, input: ObligationInput) {
	authorize(actor, 'obligation.manage');
	return db.inTenant(scopeOf(actor), async (tx) => {
		const organisations = await listOrganisationChoices(tx);
		if (!organisations.some((organisation) => organisation.id === input.organisationId))
			throw new Refusal(
				'BAD_REQUEST',
				'obligations_error_organisation_unknown',
				{},
				'organisationId'
			);
		const { organisationId, ...fields } = input;
		const id = await repo.insertObligation(tx, actor.tenantId, organisationId, fields);
		await auditAs(tx, actor, 'obligation.create', 'recurring_obligation', id, {
			after: { organisation_id: organisationId, ...fields }
		});
		return { id };
	});
}

/** Admins change or deactivate an obligation; due items already made stay as they are. */
export async function updateObligation(db: AppDatabase, actor: Actor, input: ObligationUpdate) {
	authorize(actor, 'obligation.manage');
	return db.inTenant(scopeOf(actor), async (tx) => {
		const before = await repo.findObligation(tx, input.obligationId);
		if (!before) throw notFound();
		const { obligationId, ...fields } = input;
		await repo.updateObligation(tx, obligationId, fields);
		await auditAs(tx, actor, 'obligation.update', 'recurring_obligation', obligationId, {
			before: {
				title_zh: before.title_zh,
				title_en: before.title_en,
				cadence: before.cadence,
				due_day: before.due_day,
				starts_on: before.starts_on,
				active: before.active
			},
			after: fields
		});
		return { id: obligationId };
	});
}
