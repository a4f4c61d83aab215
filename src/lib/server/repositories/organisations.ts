import type { ExpressionBuilder } from 'kysely';
import type { Database } from '../../../../db/schema';
import type { Tx } from '../db/tenant-scope';
import { updateAtVersion } from './versioned';
import { membersWithUsers, MEMBER_COLUMNS } from './joins';
import { tenantCountOf } from './tenant-join';
import { countOf, findRowById } from './query';
import { afterKey, orderOf, type KeysetPage } from './keyset';
import { likePattern } from './like';

export interface OrganisationFilter {
	/** Limit to one organisation (organisation users). */
	organisationId?: string | null;
	search?: string;
}

/** The organisations `filter` keeps. */
function filteredOrganisations(tx: Tx, filter: OrganisationFilter) {
	let query = tx.selectFrom('organisations');
	if (filter.organisationId) query = query.where('organisations.id', '=', filter.organisationId);
	if (filter.search) query = query.where(matching(filter.search));
	return query;
}

/** How many organisations `filter` keeps (the list's row count). */
export function countOrganisations(tx: Tx, filter: OrganisationFilter) {
	return countOf(filteredOrganisations(tx, filter));
}

/** The organisations with their certificate counts: by name, or one keyset page in its order. */
export function listOrganisations(tx: Tx, filter: OrganisationFilter = {}, page?: KeysetPage) {
	let query = filteredOrganisations(tx, filter).select((eb) => [
		'organisations.id',
		'organisations.legal_name',
		'organisations.uscc',
		'organisations.address',
		'organisations.version',
		tenantCountOf(eb, 'certificates', 'certificates.organisation_id', 'organisations.id').as(
			'certificate_count'
		)
	]);
	if (!page) return query.orderBy('organisations.legal_name').orderBy('organisations.id').execute();
	query = query.orderBy(orderOf(page.order)).limit(page.limit);
	if (page.after) query = query.where(afterKey(page.order, page.after));
	return query.execute();
}

/** Name or USCC containing `search` (LIKE's own characters taken literally). */
function matching(search: string) {
	const pattern = likePattern(search);
	return (eb: ExpressionBuilder<Database, 'organisations'>) =>
		eb.or([eb('legal_name', 'ilike', pattern), eb('uscc', 'ilike', pattern)]);
}

/**
 * The first `limit` organisations by name that match `filter.search`, id and name only: what a
 * search-as-you-type field offers (a tenant may hold hundreds of organisations).
 */
export function searchOrganisations(tx: Tx, filter: OrganisationFilter, limit: number) {
	let query = tx
		.selectFrom('organisations')
		.select(['organisations.id', 'organisations.legal_name'])
		.orderBy('organisations.legal_name')
		.orderBy('organisations.id')
		.limit(limit);
	if (filter.organisationId) query = query.where('organisations.id', '=', filter.organisationId);
	if (filter.search) query = query.where(matching(filter.search));
	return query.execute();
}

export function findOrganisation(tx: Tx, id: string) {
	return findRowById(tx, 'organisations', id);
}

export function findOrganisationByUscc(tx: Tx, uscc: string) {
	return tx.selectFrom('organisations').selectAll().where('uscc', '=', uscc).executeTakeFirst();
}

export function insertOrganisation(
	tx: Tx,
	organisation: {
		tenantId: string;
		legalName: string;
		uscc: string;
		address: string;
		createdAt?: Date;
	}
) {
	return tx
		.insertInto('organisations')
		.values({
			tenant_id: organisation.tenantId,
			created_at: organisation.createdAt,
			updated_at: organisation.createdAt,
			legal_name: organisation.legalName,
			uscc: organisation.uscc,
			address: organisation.address
		})
		.returningAll()
		.executeTakeFirstOrThrow();
}

/** Optimistic update: nothing changes (undefined returned) unless `version` is still current. */
export function updateOrganisation(
	tx: Tx,
	id: string,
	version: number,
	changes: { legalName: string; uscc: string; address: string }
) {
	return updateAtVersion(tx, 'organisations', id, version, {
		legal_name: changes.legalName,
		uscc: changes.uscc,
		address: changes.address
	});
}

/** The people holding an organisation role for one organisation. */
export function listOrganisationUsers(tx: Tx, organisationId: string) {
	return membersWithUsers(tx)
		.select(MEMBER_COLUMNS)
		.where('memberships.organisation_id', '=', organisationId)
		.orderBy('users.name')
		.execute();
}
