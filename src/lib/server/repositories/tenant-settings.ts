import type { Tx } from '../db/tenant-scope';

/*
 * The transaction's own tenant row (issue 12 item 8). The app role reads it under `tenant_self`
 * and updates its settings columns only as an active admin of it (`tenant_admin_update`,
 * migration 2026-12-04-06-people): no query here can reach another body's row.
 */

export function findTenantSettings(tx: Tx, tenantId: string) {
	return tx
		.selectFrom('tenants')
		.select((eb) => [
			'name',
			'name_en',
			'slug',
			'time_zone',
			'default_locale',
			'certificate_number_pattern',
			'mail_sender_name',
			'accreditation_body',
			'logo_type',
			'settings_version',
			eb.fn<number | null>('octet_length', ['logo']).as('logo_bytes')
		])
		.where('id', '=', tenantId)
		.executeTakeFirst();
}

export interface TenantSettingsChange {
	name: string;
	name_en: string;
	slug: string;
	time_zone: string;
	default_locale: 'zh-CN' | 'en';
	certificate_number_pattern: string;
	mail_sender_name: string;
	accreditation_body: string;
	/** Undefined: the logo stays as it is; null: removed. */
	logo?: { bytes: Buffer; type: 'image/png' | 'image/jpeg' } | null;
}

/** Writes the settings at `version`; false when the row moved on (or is not the admin's). */
export async function updateTenantSettings(
	tx: Tx,
	tenantId: string,
	version: number,
	change: TenantSettingsChange
): Promise<boolean> {
	const { logo, ...columns } = change;
	const result = await tx
		.updateTable('tenants')
		.set({
			...columns,
			...(logo === undefined
				? {}
				: logo === null
					? { logo: null, logo_type: null }
					: { logo: logo.bytes, logo_type: logo.type }),
			settings_version: version + 1
		})
		.where('id', '=', tenantId)
		.where('settings_version', '=', version)
		.executeTakeFirst();
	return Number(result.numUpdatedRows) === 1;
}

export function findTenantLogo(tx: Tx, tenantId: string) {
	return tx
		.selectFrom('tenants')
		.select(['logo', 'logo_type', 'settings_version'])
		.where('id', '=', tenantId)
		.where('logo', 'is not', null)
		.executeTakeFirst();
}
