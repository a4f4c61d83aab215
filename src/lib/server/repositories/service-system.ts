import { sql, type Insertable, type SelectQueryBuilder, type UpdateObject } from 'kysely';
import type { Database, ServiceOutletsTable } from '../../../../db/schema';
import type { Tx } from '../db/tenant-scope';
import { findRowById } from './query';
import { updateAtVersion } from './versioned';

/*
 * Rows of the organisation's service system (migration 2026-12-04-05-service-system): its
 * commitments, objectives with their versions and measurements, and outlets. Optimistic updates
 * answer undefined when the version the user saw is no longer current.
 */

export const findCommitment = (tx: Tx, id: string, options: { forUpdate?: boolean } = {}) =>
	findRowById(tx, 'service_commitments', id, options);
export const findObjective = (tx: Tx, id: string, options: { forUpdate?: boolean } = {}) =>
	findRowById(tx, 'service_objectives', id, options);
export const findOutlet = (tx: Tx, id: string, options: { forUpdate?: boolean } = {}) =>
	findRowById(tx, 'service_outlets', id, options);

/** The tables whose rows an organisation's service system lists. */
type SystemTable = 'service_commitments' | 'service_objectives' | 'service_outlets';

/**
 * How each list of the system reads `table`: the organisation's rows, oldest first, then by id
 * (rows created in one moment keep one order), after whatever order the list puts first. The
 * columns are qualified, so a list may join users (who have an id and a created_at too).
 */
const oldestFirstOf =
	(table: SystemTable, organisationId: string) =>
	<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>) =>
		query
			.where(sql.ref<string>(`${table}.organisation_id`), '=', organisationId)
			.orderBy(sql.ref(`${table}.created_at`))
			.orderBy(sql.ref(`${table}.id`));

export function listCommitments(tx: Tx, organisationId: string) {
	return tx
		.selectFrom('service_commitments')
		.selectAll()
		.orderBy('kind')
		.$call(oldestFirstOf('service_commitments', organisationId))
		.execute();
}

export function listObjectives(tx: Tx, organisationId: string) {
	return tx
		.selectFrom('service_objectives')
		.leftJoin('users', 'users.id', 'service_objectives.approved_by')
		.selectAll('service_objectives')
		.select('users.name as approved_by_name')
		.$call(oldestFirstOf('service_objectives', organisationId))
		.execute();
}

export function listOutlets(tx: Tx, organisationId: string) {
	return tx
		.selectFrom('service_outlets')
		.selectAll()
		.$call(oldestFirstOf('service_outlets', organisationId))
		.execute();
}

/**
 * Keeps a read of an objective's own rows (measurements, versions: `alias` in the query) to the
 * organisation's objectives, by the key those rows reference (tenant and objective).
 */
const ofOrganisationObjectives =
	(tx: Tx, alias: 'm' | 'v', organisationId: string) =>
	<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>) =>
		query.where(
			// An embedded query is parenthesised as a subquery already.
			sql<boolean>`(${sql.ref(`${alias}.tenant_id`)}, ${sql.ref(`${alias}.objective_id`)}) in ${tx
				.selectFrom('service_objectives')
				.select(['tenant_id', 'id'])
				.where('organisation_id', '=', organisationId)}`
		);

/** The organisation's objectives' measurements, newest period first, with who recorded them. */
export function listMeasurements(tx: Tx, organisationId: string) {
	return tx
		.selectFrom('service_objective_measurements as m')
		.$call(ofOrganisationObjectives(tx, 'm', organisationId))
		.innerJoin('users', 'users.id', 'm.recorded_by')
		.select([
			'm.id',
			'm.objective_id',
			'm.period_start',
			'm.period_end',
			'm.value',
			'm.target_value',
			'm.direction',
			'm.objective_version',
			'm.note',
			'm.recorded_at',
			'users.name as recorded_by_name'
		])
		.orderBy('m.period_start', 'desc')
		.orderBy('m.id')
		.execute();
}

/** Superseded versions of the organisation's objectives, newest first. */
export function listObjectiveVersions(tx: Tx, organisationId: string) {
	return tx
		.selectFrom('service_objective_versions as v')
		.$call(ofOrganisationObjectives(tx, 'v', organisationId))
		.innerJoin('users', 'users.id', 'v.changed_by')
		.select([
			'v.objective_id',
			'v.superseded_version',
			'v.content',
			'v.change_reason',
			'v.changed_at',
			'users.name as changed_by_name'
		])
		.orderBy('v.objective_id')
		.orderBy('v.superseded_version', 'desc')
		.execute();
}

/**
 * Adding a row of one of the system's tables (answering its id) and changing one at the version
 * its editor saw: alike for commitments, objectives and outlets.
 */
function writersOf<T extends SystemTable>(table: T) {
	return {
		insert: async (tx: Tx, row: Insertable<Database[T]>): Promise<string> => {
			// Kysely cannot type an insert into a table chosen by a type parameter, hence the casts.
			const inserted = await tx
				.insertInto(table as 'service_outlets')
				.values(row as unknown as Insertable<ServiceOutletsTable>)
				.returning('id')
				.executeTakeFirstOrThrow();
			return inserted.id;
		},
		update: (tx: Tx, id: string, version: number, fields: UpdateObject<Database, T>) =>
			updateAtVersion(tx, table, id, version, fields)
	};
}

export const { insert: insertCommitment, update: updateCommitment } =
	writersOf('service_commitments');
export const { insert: insertObjective, update: updateObjective } = writersOf('service_objectives');
export const { insert: insertOutlet, update: updateOutlet } = writersOf('service_outlets');

/** The management's approval of the objective's current version: the version stays. */
export function setObjectiveApproval(
	tx: Tx,
	id: string,
	version: number,
	approval: { by: string; on: string }
) {
	return tx
		.updateTable('service_objectives')
		.set({ approved_by: approval.by, approved_on: approval.on, updated_at: sql<Date>`now()` })
		.where('id', '=', id)
		.where('version', '=', version)
		.returning('version')
		.executeTakeFirst();
}

export function insertObjectiveVersion(
	tx: Tx,
	row: {
		tenantId: string;
		objectiveId: string;
		version: number;
		content: unknown;
		reason: string;
		changedBy: string;
		changedAt: Date;
	}
) {
	return tx
		.insertInto('service_objective_versions')
		.values({
			tenant_id: row.tenantId,
			objective_id: row.objectiveId,
			superseded_version: row.version,
			content: JSON.stringify(row.content),
			change_reason: row.reason,
			changed_by: row.changedBy,
			changed_at: row.changedAt
		})
		.execute();
}

export async function insertMeasurement(
	tx: Tx,
	row: {
		tenantId: string;
		objectiveId: string;
		periodStart: string;
		periodEnd: string;
		value: number;
		targetValue: string;
		direction: 'at_least' | 'at_most';
		objectiveVersion: number;
		note: string;
		recordedBy: string;
		recordedAt: Date;
	}
) {
	const inserted = await tx
		.insertInto('service_objective_measurements')
		.values({
			tenant_id: row.tenantId,
			objective_id: row.objectiveId,
			period_start: row.periodStart,
			period_end: row.periodEnd,
			value: row.value,
			target_value: row.targetValue,
			direction: row.direction,
			objective_version: row.objectiveVersion,
			note: row.note,
			recorded_by: row.recordedBy,
			recorded_at: row.recordedAt
		})
		.onConflict((oc) => oc.columns(['tenant_id', 'objective_id', 'period_start']).doNothing())
		.returning('id')
		.executeTakeFirst();
	return inserted?.id;
}
