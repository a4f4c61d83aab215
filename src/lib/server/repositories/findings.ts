import { sql, type ExpressionBuilder, type SelectQueryBuilder } from 'kysely';
import type { Tx } from '../db/tenant-scope';
import { updateAtVersion } from './versioned';
import { tenantJoin } from './tenant-join';
import { findingsWithEvaluation, findingsWithOrganisation, teamOf } from './joins';
import type {
	Database,
	FindingKind,
	FindingStatus,
	NonconformityGrade
} from '../../../../db/schema';

/* Findings: recording them on an evaluation, and the CB's finding list read by keyset. */

/** What every list shows of a finding, besides its statement (whole or cut). */
const FINDING_SUMMARY = [
	'findings.id',
	'findings.reference',
	'findings.kind',
	'findings.grade',
	'findings.status',
	'findings.raised_on',
	'findings.due_on',
	'clauses.number as clause_number'
] as const;

/** Findings with the clause they cite, if any. */
function findingsWithClause(tx: Tx) {
	return tx.selectFrom('findings').leftJoin('clauses', tenantJoin('clauses', 'findings.clause_id'));
}

export function listEvaluationFindings(tx: Tx, evaluationId: string) {
	return findingsWithClause(tx)
		.select([...FINDING_SUMMARY, 'findings.statement', 'findings.version'])
		.where('findings.evaluation_id', '=', evaluationId)
		.orderBy('findings.created_at')
		.orderBy('findings.id')
		.execute();
}

/** The references already used on an evaluation that start with `prefix` (NC-, OBS-, OFI-). */
export async function referencesWithPrefix(tx: Tx, evaluationId: string, prefix: string) {
	const rows = await tx
		.selectFrom('findings')
		.select('reference')
		.where('evaluation_id', '=', evaluationId)
		.where('reference', 'like', `${prefix}%`)
		.execute();
	return rows.map((row) => row.reference);
}

export function insertFinding(
	tx: Tx,
	finding: {
		tenantId: string;
		evaluationId: string;
		reference: string;
		kind: FindingKind;
		grade: NonconformityGrade | null;
		clauseId: string | null;
		statement: string;
		objectiveEvidence: string;
		raisedBy: string;
		raisedOn: string;
		dueOn: string | null;
		commitmentId?: string | null;
		outletId?: string | null;
		createdAt?: Date;
	}
) {
	return tx
		.insertInto('findings')
		.values({
			tenant_id: finding.tenantId,
			created_at: finding.createdAt,
			updated_at: finding.createdAt,
			evaluation_id: finding.evaluationId,
			reference: finding.reference,
			kind: finding.kind,
			grade: finding.grade,
			clause_id: finding.clauseId,
			statement: finding.statement,
			objective_evidence: finding.objectiveEvidence,
			raised_by: finding.raisedBy,
			raised_on: finding.raisedOn,
			due_on: finding.dueOn,
			commitment_id: finding.commitmentId ?? null,
			outlet_id: finding.outletId ?? null
		})
		.returningAll()
		.executeTakeFirstOrThrow();
}

/** Optimistic update of what the evaluator wrote; undefined when `version` is no longer current. */
export function updateFindingText(
	tx: Tx,
	id: string,
	version: number,
	changes: { statement: string; objectiveEvidence: string; clauseId: string | null }
) {
	return updateAtVersion(tx, 'findings', id, version, {
		statement: changes.statement,
		objective_evidence: changes.objectiveEvidence,
		clause_id: changes.clauseId
	});
}

export function updateFindingDueOn(tx: Tx, id: string, version: number, dueOn: string) {
	return updateAtVersion(tx, 'findings', id, version, { due_on: dueOn });
}

export function insertDueChange(
	tx: Tx,
	change: {
		tenantId: string;
		findingId: string;
		fromDueOn: string | null;
		toDueOn: string;
		reason: string;
		changedBy: string;
	}
) {
	return tx
		.insertInto('finding_due_changes')
		.values({
			tenant_id: change.tenantId,
			finding_id: change.findingId,
			from_due_on: change.fromDueOn,
			to_due_on: change.toDueOn,
			reason: change.reason,
			changed_by: change.changedBy
		})
		.returningAll()
		.executeTakeFirstOrThrow();
}

/* ---------------------------------------------------------------------------------------------
 * The finding list. Each sort order is read as a sequence of stretches ("segments") of one
 * index, each stretch in that index's own order, so every page is a bounded index range scan:
 *   raised  – (tenant_id, raised_on desc, id desc): one stretch;
 *   due     – (tenant_id, due_on, id): findings with a due date, then those without;
 *   status  – (tenant_id, status, due_on, id): each status in life-cycle order, with and
 *             without a due date.
 * Conditions on plain columns only (see migration 2026-11-26-03-finding-lists): they use
 * leakproof operators, which row-level security lets PostgreSQL use as index bounds.
 * ------------------------------------------------------------------------------------------- */

export interface FindingListFilter {
	status?: FindingStatus;
	grade?: NonconformityGrade;
	kind?: FindingKind;
	standardId?: string;
	organisationId?: string;
	evaluationId?: string;
	clauseId?: string;
	/** Past the due date and not closed, as of `today`. */
	overdue?: boolean;
	/** Not closed. */
	unclosed?: boolean;
	/** Due on or after / on or before these dates. */
	dueFrom?: string;
	dueTo?: string;
	/** A LIKE pattern, already escaped and wrapped in %…%. */
	searchPattern?: string;
}

export type FindingSegment =
	{ order: 'raised' } | { order: 'due'; status?: FindingStatus; dueSet: boolean };

/** The last row read of a segment, in that segment's key (raised_on, id) / (due_on, id) / (id). */
export type SegmentKey = { raisedOn: string; id: string } | { dueOn: string | null; id: string };

export interface KeyRow {
	id: string;
	raised_on: string;
	due_on: string | null;
	status: FindingStatus;
}

type FindingsQuery = SelectQueryBuilder<Database, 'findings', object>;

/** One page's read of one segment: the same for the key query and the text search. */
export interface SegmentRequest {
	tenantId: string;
	segment: FindingSegment;
	filter: FindingListFilter;
	today: string;
	after: SegmentKey | null;
	limit: number;
}

function segmentQuery(
	tx: Tx,
	{ tenantId, segment, filter, today, after }: Omit<SegmentRequest, 'limit'>
): FindingsQuery {
	// RLS holds the tenant already; saying it again gives the planner a constant to estimate with.
	let query: FindingsQuery = tx.selectFrom('findings').where('findings.tenant_id', '=', tenantId);
	if (segment.order === 'due') {
		if (segment.status) query = query.where('findings.status', '=', segment.status);
		query = query.where('findings.due_on', segment.dueSet ? 'is not' : 'is', null);
	}
	if (filter.status) query = query.where('findings.status', '=', filter.status);
	if (filter.grade) query = query.where('findings.grade', '=', filter.grade);
	if (filter.kind) query = query.where('findings.kind', '=', filter.kind);
	if (filter.evaluationId) query = query.where('findings.evaluation_id', '=', filter.evaluationId);
	if (filter.clauseId) query = query.where('findings.clause_id', '=', filter.clauseId);
	if (filter.unclosed) query = query.where('findings.status', '<>', 'closed');
	if (filter.dueFrom) query = query.where('findings.due_on', '>=', filter.dueFrom);
	if (filter.dueTo) query = query.where('findings.due_on', '<=', filter.dueTo);
	if (filter.organisationId || filter.standardId) {
		const organisationId = filter.organisationId;
		const standardId = filter.standardId;
		query = query.where('findings.evaluation_id', 'in', (eb) =>
			eb
				.selectFrom('evaluations')
				.select('evaluations.id')
				.$if(!!organisationId, (q) => q.where('evaluations.organisation_id', '=', organisationId!))
				.$if(!!standardId, (q) => q.where('evaluations.standard_id', '=', standardId!))
		);
	}
	if (filter.overdue)
		query = query.where('findings.due_on', '<', today).where('findings.status', '<>', 'closed');
	if (after) query = query.where((eb) => keyAfter(eb, segment, after));
	if (segment.order === 'raised')
		return query.orderBy('findings.raised_on', 'desc').orderBy('findings.id', 'desc');
	if (segment.status) query = query.orderBy('findings.status');
	// Within the stretch without due dates due_on is null throughout; ordering by it anyway keeps
	// the order the index's, so no sort is needed.
	return query.orderBy('findings.due_on').orderBy('findings.id');
}

function keyAfter(
	eb: ExpressionBuilder<Database, 'findings'>,
	segment: FindingSegment,
	key: SegmentKey
) {
	if (segment.order === 'raised' && 'raisedOn' in key)
		return eb(
			eb.refTuple('findings.raised_on', 'findings.id'),
			'<',
			eb.tuple(key.raisedOn, key.id)
		);
	if ('dueOn' in key && key.dueOn !== null)
		return eb(eb.refTuple('findings.due_on', 'findings.id'), '>', eb.tuple(key.dueOn, key.id));
	return eb('findings.id', '>', key.id);
}

const KEY_COLUMNS = [
	'findings.id',
	'findings.raised_on',
	'findings.due_on',
	'findings.status'
] as const;

/** Up to `limit` rows of one segment after `after`, in the segment's order. */
export function findingKeysQuery(tx: Tx, request: SegmentRequest) {
	return segmentQuery(tx, request).select(KEY_COLUMNS).limit(request.limit);
}

function windowOrder(segment: FindingSegment) {
	if (segment.order === 'raised') return sql`findings.raised_on desc, findings.id desc`;
	if (segment.status) return sql`findings.status, findings.due_on, findings.id`;
	return sql`findings.due_on, findings.id`;
}

/**
 * A text search reads at most `scanLimit` rows of a segment (text matching cannot use these
 * indexes) and returns, in order, the matches among them (`hit`) up to `limit`, plus the row where
 * the reading stopped: the `scanLimit`-th (`rn`), or the segment's last (`segment_end`). The next
 * page carries on from there, so every page costs a bounded scan, however rare the text.
 */
export function findingSearchQuery(tx: Tx, request: SegmentRequest & { scanLimit: number }) {
	const pattern = request.filter.searchPattern ?? '%';
	const order = windowOrder(request.segment);
	const scan = segmentQuery(tx, {
		...request,
		filter: { ...request.filter, searchPattern: undefined }
	})
		.select(KEY_COLUMNS)
		.select([
			// One ILIKE over the texts joined (a newline cannot be typed into the search) costs
			// about half of three; clause numbers match through the (small) clause table.
			sql<boolean>`((findings.statement || chr(10) || findings.objective_evidence || chr(10) || findings.reference) ilike ${pattern}
				or findings.clause_id in (select clauses.id from clauses where clauses.number ilike ${pattern}))`.as(
				'hit'
			),
			sql<string>`row_number() over (order by ${order})`.as('rn'),
			sql<boolean>`lead(findings.id) over (order by ${order}) is null`.as('segment_end')
		])
		.limit(request.scanLimit);
	let query = tx
		.selectFrom(scan.as('scan'))
		.selectAll()
		.where((eb) =>
			eb.or([
				eb('scan.hit', '=', true),
				eb('scan.rn', '=', String(request.scanLimit)),
				eb('scan.segment_end', '=', true)
			])
		);
	// The scan's own order, so PostgreSQL reads it as it comes and stops at the limit.
	if (request.segment.order === 'raised')
		query = query.orderBy('scan.raised_on', 'desc').orderBy('scan.id', 'desc');
	else {
		if (request.segment.status) query = query.orderBy('scan.status');
		query = query.orderBy('scan.due_on').orderBy('scan.id');
	}
	return query.limit(request.limit + 1);
}

/**
 * What the list shows of each finding on a page, in no particular order; the statement cut to
 * 200 characters unless `wholeStatement` (an export).
 */
export function findingListRows(tx: Tx, ids: string[], options: { wholeStatement?: boolean } = {}) {
	if (ids.length === 0) return Promise.resolve([]);
	return findingsWithOrganisation(tx)
		.innerJoin('standards', tenantJoin('standards', 'evaluations.standard_id'))
		.leftJoin('clauses', tenantJoin('clauses', 'findings.clause_id'))
		.select([
			...FINDING_SUMMARY,
			options.wholeStatement
				? sql<string>`findings.statement`.as('statement')
				: sql<string>`left(findings.statement, 200)`.as('statement'),
			'findings.evaluation_id',
			'evaluations.kind as evaluation_kind',
			'evaluations.window_start as evaluation_window_start',
			'evaluations.organisation_id',
			'organisations.legal_name as organisation_name',
			'evaluations.standard_id',
			'standards.code as standard_code'
		])
		.where('findings.id', 'in', ids)
		.execute();
}

/* ---------------------------------------------------------------------------------------------
 * One finding with what its access rules read: its evaluation, and whether a person is on that
 * evaluation's team (evaluators act on a finding only then).
 * ------------------------------------------------------------------------------------------- */

/** A finding with its evaluation's status, organisation, certificate, standard and kind. */
export function findFindingWithEvaluation(
	tx: Tx,
	findingId: string,
	userId: string,
	options: { forUpdate?: boolean } = {}
) {
	return findingsWithEvaluation(tx)
		.selectAll('findings')
		.select((eb) => [
			'evaluations.status as evaluation_status',
			'evaluations.organisation_id',
			'evaluations.certificate_id',
			'evaluations.standard_id',
			'evaluations.kind as evaluation_kind',
			eb
				.exists(
					teamOf(eb, 'findings.evaluation_id')
						.select('evaluation_team_members.user_id')
						.where('evaluation_team_members.user_id', '=', userId)
				)
				.as('on_team')
		])
		.where('findings.id', '=', findingId)
		.$if(!!options.forUpdate, (query) => query.forUpdate('findings'))
		.executeTakeFirst();
}
