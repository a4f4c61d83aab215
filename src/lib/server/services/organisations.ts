import type { AppDatabase, Tx } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import type { Locale, Role } from '../../../../db/schema';
import { isOrgUser, NO_ORGANISATION } from '../domain/roles';
import { mayEver } from '../domain/permissions';
import { normaliseUscc, usccProblem } from '../domain/uscc';
import { badInput, notFound, Refusal, staleVersion } from '../errors';
import { authorize } from './authorize';
import * as repo from '../repositories/organisations';
import * as contacts from '../repositories/contacts';
import { auditAs } from './audit-entry';
import { refuseUniqueViolations } from '../db/errors';
import { namedTimeline, timelineOf } from './timeline';
import { addMember } from './members';
import {
	ORGANISATION_SEARCH_LIMIT,
	type OrganisationSort,
	type listOrganisationsInput
} from './organisations.schema';
import type { z } from 'zod';
import {
	ascending,
	byId,
	readListBatches,
	readListPage,
	type ListPage,
	type ListSort
} from './list-pages';

export interface OrganisationInput {
	legalName: string;
	uscc: string;
	address: string;
}

/** An organisation user sees only their own organisation; CB staff see all of the tenant's. */
function visibleOrganisationId(actor: Actor): string | null {
	return mayEver(actor, 'organisation.readAll') ? null : (actor.organisationId ?? NO_ORGANISATION);
}

/** Every organisation the actor may see, by name (the choices of a form). */
export function listOrganisations(db: AppDatabase, actor: Actor, search?: string) {
	return db.inTenant(scopeOf(actor), (tx) =>
		repo.listOrganisations(tx, { organisationId: visibleOrganisationId(actor), search })
	);
}

type OrganisationRow = Awaited<ReturnType<typeof repo.listOrganisations>>[number];

const ORGANISATION_ORDERS: Record<OrganisationSort, ListSort<OrganisationRow>> = {
	name: {
		columns: [ascending('organisations.legal_name', 'legal_name', 'text'), byId('organisations.id')]
	},
	uscc: { columns: [ascending('organisations.uscc', 'uscc', 'text'), byId('organisations.id')] }
};

/**
 * One page of the organisation list (the page and the tRPC procedure), with how many
 * organisations the search keeps. `input.cursor` is the `next` of the page before.
 */
export async function listOrganisationPage(
	db: AppDatabase,
	actor: Actor,
	input: Partial<z.output<typeof listOrganisationsInput>> = {},
	options: { pageSize?: number } = {}
): Promise<ListPage<Omit<OrganisationRow, 'certificate_count'> & { certificate_count: number }>> {
	authorize(actor, 'organisation.list');
	const filter = { organisationId: visibleOrganisationId(actor), search: input.search };
	const page = await readListPage(
		db,
		actor,
		ORGANISATION_ORDERS,
		{ sort: input.sort ?? 'name', cursor: input.cursor, ...options },
		(tx, keyset) => repo.listOrganisations(tx, filter, keyset),
		(tx) => repo.countOrganisations(tx, filter)
	);
	return {
		...page,
		rows: page.rows.map((row) => ({ ...row, certificate_count: Number(row.certificate_count) }))
	};
}

/** Every organisation the list's search keeps, in its order, batch by batch (the export). */
export function organisationBatches(
	db: AppDatabase,
	actor: Actor,
	input: Partial<z.output<typeof listOrganisationsInput>> = {},
	options: { batchSize?: number } = {}
): AsyncGenerator<(Omit<OrganisationRow, 'certificate_count'> & { certificate_count: number })[]> {
	authorize(actor, 'organisation.list');
	const filter = { organisationId: visibleOrganisationId(actor), search: input.search };
	const batches = readListBatches(
		db,
		actor,
		ORGANISATION_ORDERS,
		{ sort: input.sort ?? 'name', ...options },
		(tx, keyset) => repo.listOrganisations(tx, filter, keyset)
	);
	return (async function* () {
		for await (const rows of batches)
			yield rows.map((row) => ({ ...row, certificate_count: Number(row.certificate_count) }));
	})();
}

/** The few organisations whose name or USCC holds `query`, for a search-as-you-type field. */
export function searchOrganisations(db: AppDatabase, actor: Actor, query?: string) {
	return db.inTenant(scopeOf(actor), (tx) =>
		repo.searchOrganisations(
			tx,
			{ organisationId: visibleOrganisationId(actor), search: query },
			ORGANISATION_SEARCH_LIMIT
		)
	);
}

/** One organisation's name, if `actor` may see it (a filter showing what it is set to). */
export function organisationName(db: AppDatabase, actor: Actor, id: string) {
	return db.inTenant(scopeOf(actor), async (tx) => {
		const visible = visibleOrganisationId(actor);
		if (visible && visible !== id) return null;
		return (await repo.findOrganisation(tx, id))?.legal_name ?? null;
	});
}

export function getOrganisation(db: AppDatabase, actor: Actor, id: string) {
	return db.inTenant(scopeOf(actor), async (tx) => {
		const visible = visibleOrganisationId(actor);
		const organisation = await repo.findOrganisation(tx, id);
		if (!organisation || (visible && organisation.id !== visible)) throw notFound();
		return { ...organisation, contacts: await contacts.listContacts(tx, id) };
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

/** `now`: when it happens (the demo loads its past); unset, the database's clock. */
export function createOrganisation(
	db: AppDatabase,
	actor: Actor,
	input: OrganisationInput,
	now?: Date
) {
	authorize(actor, 'organisation.manage');
	const uscc = validUscc(input.uscc);
	return db
		.inTenant(scopeOf(actor), async (tx) => {
			if (await repo.findOrganisationByUscc(tx, uscc)) throw duplicateUscc(uscc)();
			const organisation = await repo.insertOrganisation(tx, {
				tenantId: actor.tenantId,
				legalName: input.legalName.trim(),
				uscc,
				address: input.address.trim(),
				createdAt: now
			});
			await auditAs(tx, actor, 'organisation.create', 'organisation', organisation.id, {
				after: { legalName: organisation.legal_name, uscc, address: organisation.address },
				at: now
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
	authorize(actor, 'organisation.manage');
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
			await auditAs(tx, actor, 'organisation.update', 'organisation', id, {
				before: { legalName: before.legal_name, uscc: before.uscc, address: before.address },
				after: { legalName: after.legal_name, uscc: after.uscc, address: after.address }
			});
			return after;
		})
		.catch(refuseUniqueViolations({ organisations_tenant_id_uscc_key: duplicateUscc(uscc) }));
}

/* Contacts: the organisation's people who get reminders (SPEC §3), kept with the organisation. */

/** A plausible address; the API's zod check is stricter, this guards every other caller. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface ContactInput {
	name: string;
	email: string;
	phone?: string;
	locale: Locale;
	receivesReminders: boolean;
}

/** A contact that is not (or no longer) there. */
const CONTACT_GONE = 'organisations_error_contact_gone';

function contactFields(input: ContactInput): contacts.ContactFields {
	const email = input.email.trim();
	if (!EMAIL.test(email)) throw badInput('email', 'error_email_invalid');
	const name = input.name.trim();
	if (!name) throw badInput('name', 'error_required');
	return {
		name,
		email,
		phone: (input.phone ?? '').trim(),
		locale: input.locale === 'en' ? 'en' : 'zh-CN',
		receivesReminders: input.receivesReminders
	};
}

/** As the audit log records a contact: with its organisation, so deleted contacts stay on its timeline. */
interface AuditedContact {
	organisation_id: string;
	name: string;
	email: string;
	phone: string;
	locale: Locale;
	receives_reminders: boolean;
}

function auditedContact(contact: AuditedContact) {
	return {
		organisationId: contact.organisation_id,
		name: contact.name,
		email: contact.email,
		phone: contact.phone,
		locale: contact.locale,
		receivesReminders: contact.receives_reminders
	};
}

/** The audit entry of one change to a contact: the contact as audited before and after it. */
function auditContact(
	tx: Tx,
	actor: Actor,
	action: 'contact.create' | 'contact.update' | 'contact.delete',
	id: string,
	change: { before?: AuditedContact; after?: AuditedContact },
	at?: Date
) {
	return auditAs(tx, actor, action, 'contact', id, {
		before: change.before && auditedContact(change.before),
		after: change.after && auditedContact(change.after),
		at
	});
}

export function addContact(
	db: AppDatabase,
	actor: Actor,
	organisationId: string,
	input: ContactInput,
	/** When it happens (the demo loads its past); unset, the database's clock. */
	now?: Date
) {
	authorize(actor, 'organisation.manage');
	const fields = contactFields(input);
	return db.inTenant(scopeOf(actor), async (tx) => {
		if (!(await repo.findOrganisation(tx, organisationId))) throw notFound();
		const contact = await contacts.insertContact(tx, {
			...fields,
			tenantId: actor.tenantId,
			organisationId,
			createdAt: now
		});
		await auditContact(tx, actor, 'contact.create', contact.id, { after: contact }, now);
		return contact;
	});
}

export function updateContact(db: AppDatabase, actor: Actor, id: string, input: ContactInput) {
	authorize(actor, 'organisation.manage');
	const fields = contactFields(input);
	return db.inTenant(scopeOf(actor), async (tx) => {
		const before = await contacts.findContact(tx, id);
		if (!before) throw notFound(CONTACT_GONE);
		const after = await contacts.updateContact(tx, id, fields);
		if (!after) throw notFound(CONTACT_GONE);
		await auditContact(tx, actor, 'contact.update', id, { before, after });
		return after;
	});
}

export function removeContact(db: AppDatabase, actor: Actor, id: string) {
	authorize(actor, 'organisation.manage');
	return db.inTenant(scopeOf(actor), async (tx) => {
		const removed = await contacts.deleteContact(tx, id);
		if (!removed) throw notFound(CONTACT_GONE);
		await auditContact(tx, actor, 'contact.delete', id, { before: removed });
		return { id };
	});
}

/**
 * The organisation's timeline: its own audit entries and its contacts' (deleted ones included),
 * in the order they happened.
 */
export function organisationTimeline(db: AppDatabase, actor: Actor, id: string) {
	return db.inTenant(scopeOf(actor), async (tx) => {
		const visible = visibleOrganisationId(actor);
		const organisation = await repo.findOrganisation(tx, id);
		if (!organisation || (visible && organisation.id !== visible)) throw notFound();
		const own = await timelineOf(tx, 'organisation', id);
		const ofContacts = (
			await namedTimeline(tx, await contacts.listContactAuditOfOrganisation(tx, id))
		).map((entry) => ({
			...entry,
			changes: entry.changes.filter((change) => change.field !== 'organisationId')
		}));
		return [...own, ...ofContacts].sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
	});
}

/** The people holding an organisation role for it; for those who may see the organisation. */
export function listOrganisationUsers(db: AppDatabase, actor: Actor, organisationId: string) {
	return db.inTenant(scopeOf(actor), async (tx) => {
		const visible = visibleOrganisationId(actor);
		if (visible && organisationId !== visible) throw notFound();
		if (!(await repo.findOrganisation(tx, organisationId))) throw notFound();
		return repo.listOrganisationUsers(tx, organisationId);
	});
}

export interface InviteInput {
	email: string;
	name?: string;
	password?: string;
	role: Role;
}

/** Gives a person an organisation role in this organisation (members.addMember does the work and the audit). */
export function inviteOrganisationUser(
	db: AppDatabase,
	actor: Actor,
	organisationId: string,
	input: InviteInput
) {
	authorize(actor, 'organisation.inviteUsers', { organisationId });
	if (!isOrgUser(input.role)) throw badInput('role', 'organisations_error_invite_role');
	return addMember(db, actor, { ...input, organisationId });
}
