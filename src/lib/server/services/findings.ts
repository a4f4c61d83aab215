import type { AppDatabase, Tx } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import type {
	EvaluationKind,
	FindingKind,
	FindingStatus,
	NonconformityGrade
} from '../../../../db/schema';
import { mayCarryFindingInto, mayRecordFindings } from '../domain/evaluation-lifecycle';
import { FINDING_STATUSES, isOverdue } from '../domain/finding-lifecycle';
import { nonconformityDueDate } from '../domain/scheme-rules';
import { isIsoDate, todayInZone } from '../domain/calendar';
import { badInput, forbidden, notFound, Refusal, staleVersion } from '../errors';
import { mayEver } from '../domain/permissions';
import { refuseUniqueViolations } from '../db/errors';
import {
	evaluationReference,
	findingReferencePrefix,
	nextFindingReference
} from '../domain/finding-references';
import { auditAs } from './audit-entry';
import { serviceSubjectsOf } from './service-system';
import { findSchemeRules } from '../repositories/scheme-rules';
import {
	findEvaluation,
	isOnTeam,
	listCycleEvaluations,
	lockOrganisationForReferences,
	setEvaluationReference
} from '../repositories/evaluations';
import { findClause, listStandardChoices } from '../repositories/catalogue';
import * as repo from '../repositories/findings';
import { authorize } from './authorize';
import { findingMessageToOrganisation } from './event-messages';
import { findingSubject, loadVisibleFinding } from './finding-access';
import { id as uuid } from './common.schema';
import { likePattern } from '../repositories/like';
import {
	FINDING_KINDS,
	FINDING_SORTS,
	NONCONFORMITY_GRADES,
	type FindingSort
} from './findings.schema';

/* Recording findings on an evaluation, changing their due dates, and the CB's finding list. */

export { FINDING_KINDS, FINDING_SORTS, NONCONFORMITY_GRADES, type FindingSort };

async function checkedClause(tx: Tx, clauseId: string | null | undefined, standardId: string) {
	if (!clauseId) return null;
	const clause = await findClause(tx, clauseId);
	if (!clause || clause.standard_id !== standardId)
		throw badInput('clauseId', 'evaluations_error_clause_unknown');
	return clause;
}

/**
 * The evaluation's reference (`2026-S1`), given on its first finding. The caller holds the
 * evaluation's lock (its findings take turns); the organisation's lock makes the first findings
 * of two of its evaluations take turns too, so both never count the same references
 * (evaluations_reference_key would refuse the second).
 */
async function referenceOf(
	tx: Tx,
	evaluation: {
		id: string;
		kind: EvaluationKind;
		organisation_id: string;
		standard_id: string;
		window_start: string;
		reference: string | null;
	}
): Promise<string> {
	if (evaluation.reference) return evaluation.reference;
	await lockOrganisationForReferences(tx, evaluation.organisation_id);
	const others = await listCycleEvaluations(tx, evaluation.organisation_id, evaluation.standard_id);
	const reference = evaluationReference(
		{ kind: evaluation.kind, windowStart: evaluation.window_start },
		others
			.filter((other) => other.id !== evaluation.id)
			.map((other) => ({
				kind: other.kind,
				windowStart: other.window_start,
				reference: other.reference
			}))
	);
	await setEvaluationReference(tx, evaluation.id, reference);
	return reference;
}

/** Recording is for admins and for evaluators on the evaluation's team, while it is in progress. */
function requireRecording(
	actor: Actor,
	evaluation: { onTeam: boolean; status: Parameters<typeof mayRecordFindings>[0] },
	carried = false
) {
	authorize(actor, 'finding.record', { onTeam: evaluation.onTeam });
	const open = carried ? mayCarryFindingInto : mayRecordFindings;
	if (!open(evaluation.status)) throw new Refusal('CONFLICT', 'evaluations_error_not_recording');
}

export interface RaiseFindingInput {
	kind: FindingKind;
	grade?: NonconformityGrade | null;
	clauseId?: string | null;
	statement: string;
	objectiveEvidence?: string;
	/** The evaluated organisation's commitment or outlet the finding is about. */
	commitmentId?: string | null;
	outletId?: string | null;
}

/**
 * Records a finding on an evaluation in progress (or, carried in, a planned one). A nonconformity gets its due date from the
 * standard's scheme rules (major/minor deadlines), counted from today in the body's time zone.
 */
export async function raiseFinding(
	db: AppDatabase,
	actor: Actor,
	evaluationId: string,
	input: RaiseFindingInput,
	now = new Date(),
	/** A finding carried in from outside the evaluation (a late obligation): planned is fine too. */
	options: { carried?: boolean } = {}
) {
	if (!mayEver(actor, 'finding.record')) throw forbidden();
	// The schema (raiseFindingInput) checks the same for tRPC and forms; this guards direct callers.
	if (!FINDING_KINDS.includes(input.kind)) throw badInput('kind', 'evaluations_error_kind_invalid');
	const grade = input.grade || null;
	if (input.kind === 'nonconformity' && !grade)
		throw badInput('grade', 'evaluations_error_grade_required');
	if (input.kind !== 'nonconformity' && grade)
		throw badInput('grade', 'evaluations_error_grade_not_allowed');
	if (grade && !NONCONFORMITY_GRADES.includes(grade))
		throw badInput('grade', 'evaluations_error_grade_required');
	const statement = input.statement.trim();
	if (!statement) throw badInput('statement', 'error_required');
	const objectiveEvidence = (input.objectiveEvidence ?? '').trim();
	const raisedOn = todayInZone(now, actor.tenant.timeZone);

	return db
		.inTenant(scopeOf(actor), async (tx) => {
			// The lock orders concurrent recorders (references stay NC-1, NC-2 … without gaps or
			// clashes) and keeps the report from being issued half-way through.
			const evaluation = await findEvaluation(tx, evaluationId, { forUpdate: true });
			if (!evaluation) throw notFound();
			requireRecording(
				actor,
				{ onTeam: await isOnTeam(tx, evaluation.id, actor.userId), status: evaluation.status },
				options.carried
			);
			const clause = await checkedClause(tx, input.clauseId, evaluation.standard_id);
			const about = await serviceSubjectsOf(tx, evaluation.organisation_id, input);
			const dueOn = grade
				? nonconformityDueDate(raisedOn, grade, await findSchemeRules(tx, evaluation.standard_id))
				: null;
			const prefix = findingReferencePrefix(await referenceOf(tx, evaluation), input.kind);
			const reference = nextFindingReference(
				prefix,
				await repo.referencesWithPrefix(tx, evaluationId, prefix)
			);
			const finding = await repo.insertFinding(tx, {
				tenantId: actor.tenantId,
				evaluationId,
				reference,
				kind: input.kind,
				grade,
				clauseId: clause?.id ?? null,
				statement,
				objectiveEvidence,
				raisedBy: actor.userId,
				raisedOn,
				dueOn,
				commitmentId: about.commitment?.id ?? null,
				outletId: about.outlet?.id ?? null,
				createdAt: now
			});
			await auditAs(tx, actor, 'finding.raise', 'finding', finding.id, {
				after: {
					reference,
					kind: input.kind,
					grade,
					clause: clause?.number ?? null,
					statement,
					objectiveEvidence,
					raisedOn,
					dueOn,
					...(about.commitment ? { commitment_id: about.commitment.id } : {}),
					...(about.outlet ? { outlet_id: about.outlet.id, outlet: about.outlet.name } : {})
				},
				at: now
			});
			return finding;
		})
		.catch(
			refuseUniqueViolations({
				findings_tenant_id_evaluation_id_reference_key: () =>
					new Refusal('CONFLICT', 'evaluations_error_reference_taken'),
				evaluations_reference_key: () =>
					new Refusal('CONFLICT', 'evaluations_error_reference_taken')
			})
		);
}

export interface FindingTextChanges {
	statement: string;
	objectiveEvidence: string;
	clauseId: string | null;
}

/** Corrects what was recorded (statement, evidence, clause) while the evaluation is in progress. */
export async function updateFinding(
	db: AppDatabase,
	actor: Actor,
	findingId: string,
	version: number,
	changes: FindingTextChanges
) {
	if (!mayEver(actor, 'finding.record')) throw forbidden();
	// Trimmed and required by updateFindingInput.
	const { statement, objectiveEvidence } = changes;
	return db.inTenant(scopeOf(actor), async (tx) => {
		const finding = await loadVisibleFinding(tx, actor, findingId, { forUpdate: true });
		requireRecording(actor, { onTeam: finding.onTeam, status: finding.evaluation_status });
		if (finding.version !== version) throw staleVersion();
		const clause = await checkedClause(tx, changes.clauseId, finding.standard_id);
		const beforeClause = finding.clause_id ? await findClause(tx, finding.clause_id) : null;
		const after = await repo.updateFindingText(tx, findingId, version, {
			statement,
			objectiveEvidence,
			clauseId: clause?.id ?? null
		});
		if (!after) throw staleVersion();
		await auditAs(tx, actor, 'finding.update', 'finding', findingId, {
			before: {
				statement: finding.statement,
				objectiveEvidence: finding.objective_evidence,
				clause: beforeClause?.number ?? null
			},
			after: { statement, objectiveEvidence, clause: clause?.number ?? null }
		});
		return after;
	});
}

/**
 * Moves a nonconformity's due date, with the reason the scheme demands on record: the evaluation
 * team's (or an administrator's) call, while the finding is open. Input as `changeDueInput`.
 */
export async function changeFindingDueDate(
	db: AppDatabase,
	actor: Actor,
	findingId: string,
	version: number,
	change: { dueOn: string; reason: string }
) {
	return db.inTenant(scopeOf(actor), async (tx) => {
		const finding = await loadVisibleFinding(tx, actor, findingId, { forUpdate: true });
		authorize(actor, 'finding.changeDue', findingSubject(finding));
		if (finding.version !== version) throw staleVersion();
		if (change.dueOn < finding.raised_on)
			throw badInput('dueOn', 'evaluations_error_due_before_raised', {
				raisedOn: finding.raised_on
			});
		if (change.dueOn === finding.due_on) throw badInput('dueOn', 'evaluations_error_due_unchanged');
		const reason = change.reason;
		const after = await repo.updateFindingDueOn(tx, findingId, version, change.dueOn);
		if (!after) throw staleVersion();
		await repo.insertDueChange(tx, {
			tenantId: actor.tenantId,
			findingId,
			fromDueOn: finding.due_on,
			toDueOn: change.dueOn,
			reason,
			changedBy: actor.userId
		});
		await auditAs(tx, actor, 'finding.due_change', 'finding', findingId, {
			before: { dueOn: finding.due_on },
			after: { dueOn: change.dueOn, reason }
		});
		await findingMessageToOrganisation(
			tx,
			actor,
			{ ...finding, version: after.version },
			{
				template: 'finding.due_changed',
				params: { fromDueOn: finding.due_on ?? '', dueOn: change.dueOn, reason }
			}
		);
		return after;
	});
}

/* ---------------------------------------------------------------------------------------------
 * The finding list of CB staff: filters, text search, three sort orders, keyset pages.
 * ------------------------------------------------------------------------------------------- */

export const FINDING_PAGE_SIZE = 50;
/** How many findings one page of a text search reads at most before it stops and offers to go on. */
export const FINDING_SEARCH_SCAN_LIMIT = 10_000;

/** The repository's filter, with words to search for in place of its ready LIKE pattern. */
export interface FindingFilter extends Omit<repo.FindingListFilter, 'searchPattern'> {
	/** Words to find in the statement, objective evidence, reference or clause number. */
	search?: string;
	sort?: FindingSort;
}

interface Segment {
	/** Stable name, kept in cursors: 'all', 'due', 'no-due', 'open:due', 'open:no-due' … */
	name: string;
	spec: repo.FindingSegment;
}

/** The stretches of index a sort order reads, in order, without those the filter rules out. */
function segmentsOf(sort: FindingSort, filter: FindingFilter): Segment[] {
	if (sort === 'raised') return [{ name: 'all', spec: { order: 'raised' } }];
	const dueStretches = filter.overdue || filter.dueFrom || filter.dueTo ? [true] : [true, false];
	const notClosed = filter.overdue || filter.unclosed;
	const stretch = (status: FindingStatus | undefined, dueSet: boolean): Segment => ({
		name: `${status ? `${status}:` : ''}${dueSet ? 'due' : 'no-due'}`,
		spec: { order: 'due', status, dueSet }
	});
	if (sort === 'due' || filter.status)
		return dueStretches.map((dueSet) => stretch(undefined, dueSet));
	return FINDING_STATUSES.filter((status) => !(notClosed && status === 'closed')).flatMap(
		(status) => dueStretches.map((dueSet) => stretch(status, dueSet))
	);
}

interface Cursor {
	sort: FindingSort;
	segment: string;
	key: repo.SegmentKey;
}

/** An opaque page cursor: the sort, the stretch, and the last row's key there. */
export function encodeFindingCursor(cursor: Cursor): string {
	const key =
		'raisedOn' in cursor.key
			? ['r', cursor.key.raisedOn, cursor.key.id]
			: ['d', cursor.key.dueOn, cursor.key.id];
	return Buffer.from(JSON.stringify([cursor.sort, cursor.segment, ...key]), 'utf8').toString(
		'base64url'
	);
}

export function decodeFindingCursor(text: string): Cursor | null {
	try {
		const parsed: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
		if (!Array.isArray(parsed) || parsed.length !== 5) return null;
		const [sort, segment, tag, value, id] = parsed as unknown[];
		if (!FINDING_SORTS.includes(sort as FindingSort)) return null;
		if (typeof segment !== 'string' || typeof id !== 'string' || !uuid.safeParse(id).success)
			return null;
		if (tag === 'r' && typeof value === 'string' && isIsoDate(value))
			return { sort: sort as FindingSort, segment, key: { raisedOn: value, id } };
		if (tag === 'd' && (value === null || (typeof value === 'string' && isIsoDate(value))))
			return { sort: sort as FindingSort, segment, key: { dueOn: value as string | null, id } };
		return null;
	} catch {
		return null;
	}
}

function keyOf(segment: Segment, row: repo.KeyRow): repo.SegmentKey {
	return segment.spec.order === 'raised'
		? { raisedOn: row.raised_on, id: row.id }
		: { dueOn: row.due_on, id: row.id };
}

export interface FindingListOptions {
	now?: Date;
	pageSize?: number;
	scanLimit?: number;
	/** The statement whole, not cut for the page (an export). */
	wholeStatement?: boolean;
}

/**
 * One page of the tenant's findings (CB staff only). `cursor` is the `next` of the previous page
 * (null for the first). Pages are read by keyset, never by offset, so the millionth finding is as
 * quick to reach as the first. A text search reads at most `scanLimit` findings per page: a page
 * may then hold fewer rows than the page size, with `searchStopped` set and a `next` to carry on.
 */
export async function listFindings(
	db: AppDatabase,
	actor: Actor,
	filter: FindingFilter,
	cursor: string | null,
	options: FindingListOptions = {}
) {
	authorize(actor, 'finding.list');
	const sort: FindingSort = filter.sort ?? 'raised';
	const pageSize = options.pageSize ?? FINDING_PAGE_SIZE;
	const scanLimit = options.scanLimit ?? FINDING_SEARCH_SCAN_LIMIT;
	const today = todayInZone(options.now ?? new Date(), actor.tenant.timeZone);
	const search = filter.search?.trim() ?? '';
	const segments = segmentsOf(sort, filter);
	let start = 0;
	let after: repo.SegmentKey | null = null;
	if (cursor) {
		const decoded = decodeFindingCursor(cursor);
		const index = decoded ? segments.findIndex((s) => s.name === decoded.segment) : -1;
		if (!decoded || decoded.sort !== sort || index < 0)
			throw badInput('cursor', 'evaluations_error_cursor_invalid');
		start = index;
		after = decoded.key;
	}
	const repoFilter: repo.FindingListFilter = {
		status: filter.status,
		grade: filter.grade,
		kind: filter.kind,
		standardId: filter.standardId,
		organisationId: filter.organisationId,
		evaluationId: filter.evaluationId,
		clauseId: filter.clauseId,
		overdue: filter.overdue,
		unclosed: filter.unclosed,
		dueFrom: filter.dueFrom,
		dueTo: filter.dueTo,
		searchPattern: search ? likePattern(search) : undefined
	};

	return db.inTenant(scopeOf(actor), async (tx) => {
		const found: { row: repo.KeyRow; segment: Segment }[] = [];
		let stoppedAt: { row: repo.KeyRow; segment: Segment } | null = null;
		let scanned = 0;
		for (let index = start; index < segments.length; index++) {
			const segment = segments[index]!;
			const request = {
				tenantId: actor.tenantId,
				segment: segment.spec,
				filter: repoFilter,
				today,
				after: index === start ? after : null,
				limit: pageSize + 1 - found.length
			};
			if (!search) {
				const rows = await repo.findingKeysQuery(tx, request).execute();
				found.push(...rows.map((row) => ({ row, segment })));
			} else {
				const budget = scanLimit - scanned;
				const rows = await repo.findingSearchQuery(tx, { ...request, scanLimit: budget }).execute();
				found.push(...rows.filter((row) => row.hit).map((row) => ({ row, segment })));
				if (found.length > pageSize) break;
				const full = rows.find((row) => Number(row.rn) === budget);
				if (full) {
					stoppedAt = { row: full, segment };
					break;
				}
				const end = rows.find((row) => row.segment_end);
				if (end) scanned += Number(end.rn);
			}
			if (found.length > pageSize) break;
		}

		let next: string | null = null;
		let searchStopped = false;
		const page = found.slice(0, pageSize);
		const last = page.at(-1);
		if (found.length > pageSize && last) {
			next = encodeFindingCursor({
				sort,
				segment: last.segment.name,
				key: keyOf(last.segment, last.row)
			});
		} else if (stoppedAt) {
			searchStopped = true;
			next = encodeFindingCursor({
				sort,
				segment: stoppedAt.segment.name,
				key: keyOf(stoppedAt.segment, stoppedAt.row)
			});
		}

		const details = new Map(
			(
				await repo.findingListRows(
					tx,
					page.map((entry) => entry.row.id),
					{ wholeStatement: options.wholeStatement }
				)
			).map((row) => [row.id, row])
		);
		const rows = page.map((entry) => {
			const row = details.get(entry.row.id)!;
			return { ...row, overdue: isOverdue(row, today) };
		});
		return { rows, next, searchStopped, scanLimit, sort, today };
	});
}

/**
 * Every finding the list's filter keeps, in its order, batch by batch (the export): the list's
 * own pages of `batchSize`, each read in a transaction of its own, one after the other through
 * their cursors. A text search carries on where a page's scan stopped, so nothing is left out.
 */
export function findingBatches(
	db: AppDatabase,
	actor: Actor,
	filter: FindingFilter,
	options: { batchSize?: number; now?: Date } = {}
): AsyncGenerator<FindingListRow[], void, undefined> {
	authorize(actor, 'finding.list');
	const pageSize = options.batchSize ?? 1000;
	// One date for the whole export, so "overdue" means the same on its first and last row.
	const now = options.now ?? new Date();
	return (async function* () {
		let cursor: string | null = null;
		do {
			const page: FindingListPage = await listFindings(db, actor, filter, cursor, {
				now,
				pageSize,
				scanLimit: Math.max(FINDING_SEARCH_SCAN_LIMIT, pageSize * 10),
				wholeStatement: true
			});
			if (page.rows.length > 0) yield page.rows;
			cursor = page.next;
		} while (cursor);
	})();
}

/** What the finding list's filters offer: standards, organisations, and the chosen evaluation. */
export async function findingFilterChoices(
	db: AppDatabase,
	actor: Actor,
	evaluationId?: string,
	clauseId?: string
) {
	authorize(actor, 'finding.list');
	return db.inTenant(scopeOf(actor), async (tx) => {
		// No organisation list: the filter searches them as one types (organisations.search).
		const [standards, evaluation, clause] = await Promise.all([
			listStandardChoices(tx),
			evaluationId ? findEvaluation(tx, evaluationId) : Promise.resolve(undefined),
			clauseId ? findClause(tx, clauseId) : Promise.resolve(undefined)
		]);
		const clauseStandard = clause && standards.find((s) => s.id === clause.standard_id);
		return {
			standards,
			clause: clause
				? { id: clause.id, number: clause.number, standardCode: clauseStandard?.code ?? '' }
				: null,
			evaluation: evaluation
				? {
						id: evaluation.id,
						kind: evaluation.kind,
						organisationName: evaluation.organisation_name,
						windowStart: evaluation.window_start,
						windowEnd: evaluation.window_end
					}
				: null
		};
	});
}

export type FindingListPage = Awaited<ReturnType<typeof listFindings>>;
export type FindingListRow = FindingListPage['rows'][number];
