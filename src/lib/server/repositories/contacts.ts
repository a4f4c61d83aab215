import { sql } from 'kysely';
import type { Tx } from '../db/tenant-scope';
import type { Locale } from '../../../../db/schema';
import { historyEntries } from './audit';
import { findRowById } from './query';

/** What a contact is made of: the people of an organisation who get reminders (SPEC §3). */
export interface ContactFields {
	name: string;
	email: string;
	phone: string;
	locale: Locale;
	receivesReminders: boolean;
}

export function listContacts(tx: Tx, organisationId: string) {
	return tx
		.selectFrom('contacts')
		.selectAll()
		.where('organisation_id', '=', organisationId)
		.orderBy('name')
		.execute();
}

export function findContact(tx: Tx, id: string) {
	return findRowById(tx, 'contacts', id);
}

export function insertContact(
	tx: Tx,
	contact: ContactFields & { tenantId: string; organisationId: string; createdAt?: Date }
) {
	return tx
		.insertInto('contacts')
		.values({
			tenant_id: contact.tenantId,
			created_at: contact.createdAt,
			organisation_id: contact.organisationId,
			name: contact.name,
			email: contact.email,
			phone: contact.phone,
			locale: contact.locale,
			receives_reminders: contact.receivesReminders
		})
		.returningAll()
		.executeTakeFirstOrThrow();
}

export function updateContact(tx: Tx, id: string, changes: ContactFields) {
	return tx
		.updateTable('contacts')
		.set({
			name: changes.name,
			email: changes.email,
			phone: changes.phone,
			locale: changes.locale,
			receives_reminders: changes.receivesReminders
		})
		.where('id', '=', id)
		.returningAll()
		.executeTakeFirst();
}

export function deleteContact(tx: Tx, id: string) {
	return tx.deleteFrom('contacts').where('id', '=', id).returningAll().executeTakeFirst();
}

/**
 * The audit entries of an organisation's contacts, deleted ones included: each contact entry
 * names its organisation in `organisationId` (before or after), since a deleted contact's id
 * can no longer be looked up.
 */
export function listContactAuditOfOrganisation(tx: Tx, organisationId: string) {
	return historyEntries(tx)
		.where('audit_log.entity_type', '=', 'contact')
		.where((eb) =>
			eb.or([
				eb(sql<string>`audit_log.after ->> 'organisationId'`, '=', organisationId),
				eb(sql<string>`audit_log.before ->> 'organisationId'`, '=', organisationId)
			])
		)
		.execute();
}
