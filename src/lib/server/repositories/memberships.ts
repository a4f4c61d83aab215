import type { Tx } from '../db/tenant-scope';
import { tenantJoin } from './tenant-join';
import type { Role } from '../../../../db/schema';

/**
 * The signed-in person's memberships in every tenant, with the tenant's name. Runs in the
 * person scope (no tenant chosen), where RLS shows a person their own memberships only.
 */
export function listOwnMemberships(tx: Tx, userId: string) {
	return tx
		.selectFrom('memberships')
		.innerJoin('tenants', 'tenants.id', 'memberships.tenant_id')
		.select([
			'memberships.tenant_id',
			'memberships.role',
			'tenants.slug',
			'tenants.name as tenant_name',
			'tenants.default_locale'
		])
		.where('memberships.user_id', '=', userId)
		.orderBy('tenants.name')
		.execute();
}

/** How many bodies the person belongs to (person scope), to offer switching only when it means something. */
export async function countOwnMemberships(tx: Tx, userId: string): Promise<number> {
	const row = await tx
		.selectFrom('memberships')
		.select((eb) => eb.fn.countAll<string>().as('n'))
		.where('user_id', '=', userId)
		.executeTakeFirstOrThrow();
	return Number(row.n);
}

/** The acting membership in the current tenant, with everything a request needs to know. */
export function findActingMembership(tx: Tx, userId: string) {
	return tx
		.selectFrom('memberships')
		.innerJoin('tenants', 'tenants.id', 'memberships.tenant_id')
		.leftJoin('organisations', tenantJoin('organisations', 'memberships.organisation_id'))
		.select([
			'memberships.id as membership_id',
			'memberships.tenant_id',
			'memberships.role',
			'memberships.organisation_id',
			'organisations.legal_name as organisation_name',
			'tenants.slug as tenant_slug',
			'tenants.name as tenant_name',
			'tenants.default_locale as tenant_locale',
			'tenants.time_zone as tenant_time_zone'
		])
		.where('memberships.user_id', '=', userId)
		.executeTakeFirst();
}

export function listMembers(tx: Tx) {
	return tx
		.selectFrom('memberships')
		.innerJoin('users', 'users.id', 'memberships.user_id')
		.leftJoin('organisations', tenantJoin('organisations', 'memberships.organisation_id'))
		.select([
			'memberships.id',
			'memberships.role',
			'memberships.organisation_id',
			'memberships.created_at',
			'users.id as user_id',
			'users.email',
			'users.name',
			'organisations.legal_name as organisation_name'
		])
		.orderBy('users.name')
		.execute();
}

export function findMembershipOfUser(tx: Tx, userId: string) {
	return tx.selectFrom('memberships').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

export function insertMembership(
	tx: Tx,
	membership: { tenantId: string; userId: string; role: Role; organisationId: string | null }
) {
	return tx
		.insertInto('memberships')
		.values({
			tenant_id: membership.tenantId,
			user_id: membership.userId,
			role: membership.role,
			organisation_id: membership.organisationId
		})
		.returningAll()
		.executeTakeFirstOrThrow();
}
