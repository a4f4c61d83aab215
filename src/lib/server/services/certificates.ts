import type { AppDatabase } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import type { CertificateStatus } from '../../../../db/schema';
import { NO_ORGANISATION, seesAllOrganisations } from '../domain/roles';
import * as repo from '../repositories/certificates';

export function listCertificates(
	db: AppDatabase,
	actor: Actor,
	filter: { status?: CertificateStatus; organisationId?: string } = {}
) {
	const organisationId = seesAllOrganisations(actor.role)
		? filter.organisationId
		: (actor.organisationId ?? NO_ORGANISATION);
	return db.inTenant(scopeOf(actor), (tx) =>
		repo.listCertificates(tx, { status: filter.status, organisationId })
	);
}
