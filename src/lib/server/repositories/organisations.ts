import type { ExpressionBuilder } from 'kysely';
import type { Database } from '../../../../db/schema';
import type { Tx } from '../db/tenant-scope';
import { atVersion, nextVersion } from './versioned';

export interface OrganisationFilter {
	/** Limit to one organisation (organisation users). */
	organisationId?: string | null;
	search?: string;
}

export function listOrganisations(tx: Tx, filter: OrganisationFilter = {}) {
	let query = tx
		.selectFrom('organisations')
		.select((eb) => [
			'organisations.id',
			'organisations.legal_name',
			'organisations.uscc',
			'organisations.address',
			'organisations.version',
			eb
				.selectFrom('certificates')
				.select(eb.fn.countAll<string>().as('n'))
				.whereRef('certificates.organisation_id', '=', 'organisations.id')
				.whereRef('certificates.tenant_id', '=', 'organisations.tenant_id')
				.as('certificate_count')
		])
		.orderBy('organisations.legal_name');
	if (filter.organisationId) query = query.where('organisations.id', '=', filter.organisationId);
	if (filter.search) query = query.where(matching(filter.search));
	return query.execute();
}

/** Name or USCC containing `search` (LIKE's own characters taken literally). */
function matching(search: string) {
	const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
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
	return tx.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
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
	return tx
		.updateTable('organisations')
		.set({
			legal_name: changes.legalName,
			uscc: changes.uscc,
			address: changes.address,
			...nextVersion()
		})
		.where(atVersion(id, version))
		.returningAll()
		.executeTakeFirst();
}

/** The people holding an organisation role for one organisation. */
export function listOrganisationUsers(tx: Tx, organisationId: string) {
	return tx
		.selectFrom('memberships')
		.innerJoin('users', 'users.id', 'memberships.user_id')
		.select([
			'memberships.id',
			'memberships.role',
			'memberships.created_at',
			'users.id as user_id',
			'users.name',
			'users.email'
		])
		.where('memberships.organisation_id', '=', organisationId)
		.orderBy('users.name')
		.execute();
}
