import type { AppDatabase } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import { NO_ORGANISATION, seesAllOrganisations } from '../domain/roles';
import { normaliseUscc, usccProblem } from '../domain/uscc';
import { badInput, notFound, Refusal, staleVersion } from '../errors';
import * as repo from '../repositories/organisations';
import { recordAudit } from '../repositories/audit';
import { refuseUniqueViolations } from '../db/errors';

export interface OrganisationInput {
	legalName: string;
	uscc: string;
	address: string;
}

/** An organisation user sees only their own organisation; CB staff see all of the tenant's. */
function visibleOrganisationId(actor: Actor): string | null {
	return seesAllOrganisations(actor.role) ? null : (actor.organisationId ?? NO_ORGANISATION);
}

export function listOrganisations(db: AppDatabase, actor: Actor, search?: string) {
	return db.inTenant(scopeOf(actor), (tx) =>
		repo.listOrganisations(tx, { organisationId: visibleOrganisationId(actor), search })
	);
}

export function getOrganisation(db: AppDatabase, actor: Actor, id: string) {
	return db.inTenant(scopeOf(actor), async (tx) => {
		const visible = visibleOrganisationId(actor);
		const organisation = await repo.findOrganisation(tx, id);
		if (!organisation || (visible && organisation.id !== visible)) throw notFound();
		const contacts = await repo.listContacts(tx, id);
		return { ...organisation, contacts };
	});
}

const duplicateUscc = (uscc: string) => () =>
	new Refusal('CONFLICT', 'error_uscc_duplicate', { uscc }, 'uscc');

function validUscc(input: string): string {
	const uscc = normaliseUscc(input);
	const problem = usccProblem(uscc);
	if (problem) throw badInput('uscc', `error_uscc_${problem}`);
	return uscc;
}

export function createOrganisation(db: AppDatabase, actor: Actor, input: OrganisationInput) {
	const uscc = validUscc(input.uscc);
	return db
		.inTenant(scopeOf(actor), async (tx) => {
			if (await repo.findOrganisationByUscc(tx, uscc)) throw duplicateUscc(uscc)();
			const organisation = await repo.insertOrganisation(tx, {
				tenantId: actor.tenantId,
				legalName: input.legalName.trim(),
				uscc,
				address: input.address.trim()
			});
			await recordAudit(tx, {
				tenantId: actor.tenantId,
				actorUserId: actor.userId,
				action: 'organisation.create',
				entityType: 'organisation',
				entityId: organisation.id,
				after: { legalName: organisation.legal_name, uscc, address: organisation.address }
			});
			return organisation;
		})
		.catch(refuseUniqueViolations({ organisations_tenant_id_uscc_key: duplicateUscc(uscc) }));
}

export function updateOrganisation(
	db: AppDatabase,
	actor: Actor,
	id: string,
	version: number,
	input: OrganisationInput
) {
	const uscc = validUscc(input.uscc);
	return db
		.inTenant(scopeOf(actor), async (tx) => {
			const before = await repo.findOrganisation(tx, id);
			if (!before) throw notFound();
			const clash = await repo.findOrganisationByUscc(tx, uscc);
			if (clash && clash.id !== id) throw duplicateUscc(uscc)();
			const after = await repo.updateOrganisation(tx, id, version, {
				legalName: input.legalName.trim(),
				uscc,
				address: input.address.trim()
			});
			if (!after) throw staleVersion();
			await recordAudit(tx, {
				tenantId: actor.tenantId,
				actorUserId: actor.userId,
				action: 'organisation.update',
				entityType: 'organisation',
				entityId: id,
				before: { legalName: before.legal_name, uscc: before.uscc, address: before.address },
				after: { legalName: after.legal_name, uscc: after.uscc, address: after.address }
			});
			return after;
		})
		.catch(refuseUniqueViolations({ organisations_tenant_id_uscc_key: duplicateUscc(uscc) }));
}
