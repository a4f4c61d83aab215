import type { AppDatabase } from '../db/tenant-scope';
import { scopeOf, type Actor } from '../actor';
import { authorize } from './authorize';
import { badInput, notFound, staleVersion } from '../errors';
import { auditAs } from './audit-entry';
import { checkPattern, numberingFor } from '../domain/certificate-number';
import { sniffType } from '../evidence/sniff';
import { refuseUniqueViolations } from '../db/errors';
import {
	findTenantLogo,
	findTenantSettings,
	updateTenantSettings,
	type TenantSettingsChange
} from '../repositories/tenant-settings';
import type { z } from 'zod';
import type { tenantSettingsInput } from './tenant-settings.schema';

/*
 * Issue 12 item 8: the body's own settings, kept by its administrators. Saved at the version the
 * form was loaded at (two admins cannot overwrite each other), audited with what changed.
 */

export const LOGO_MAX_BYTES = 512 * 1024;

/** A standard the settings page previews the certificate number with. */
export const SAMPLE_STANDARD = 'GB/T 27922-2011';

/** The pattern's tokens as its messages name them (braces are a message's own syntax). */
export const PATTERN_TOKENS = {
	standard: '{standard}',
	year: '{year}',
	yy: '{yy}',
	seq: '{seq}',
	seqN: '{seq:N}'
} as const;

/** IANA zones the runtime knows; UTC is one even where the list leaves it out. */
function isTimeZone(zone: string): boolean {
	return zone === 'UTC' || Intl.supportedValuesOf('timeZone').includes(zone);
}

/** The first number the pattern gives for the sample standard on `day` (YYYY-MM-DD), or null. */
export function patternPreview(pattern: string, day: string): string | null {
	const checked = checkPattern(pattern);
	if (!checked.ok) return null;
	return numberingFor(checked.parsed, { standardCode: SAMPLE_STANDARD, decidedOn: day }).format(1);
}

export async function getTenantSettings(db: AppDatabase, actor: Actor) {
	authorize(actor, 'tenant.settings');
	const row = await db.inTenant(scopeOf(actor), (tx) => findTenantSettings(tx, actor.tenantId));
	if (!row) throw notFound();
	return row;
}

export type TenantSettingsInput = z.output<typeof tenantSettingsInput> & {
	/** A newly chosen logo file's bytes (undefined: none chosen). */
	logo?: Uint8Array;
};

/** The logo's type from its bytes (never its name or the browser's word), or a refusal. */
function checkedLogo(bytes: Uint8Array): { bytes: Buffer; type: 'image/png' | 'image/jpeg' } {
	if (bytes.byteLength > LOGO_MAX_BYTES)
		throw badInput('logo', 'settings_error_logo_size', { kb: LOGO_MAX_BYTES / 1024 });
	const type = sniffType(bytes.subarray(0, 4096), bytes.byteLength <= 4096);
	if (type !== 'image/png' && type !== 'image/jpeg')
		throw badInput('logo', 'settings_error_logo_type');
	return { bytes: Buffer.from(bytes), type };
}

export async function saveTenantSettings(
	db: AppDatabase,
	actor: Actor,
	input: TenantSettingsInput
) {
	authorize(actor, 'tenant.settings');
	if (!isTimeZone(input.timeZone)) throw badInput('timeZone', 'settings_error_time_zone');
	const pattern = checkPattern(input.certificateNumberPattern);
	if (!pattern.ok)
		throw badInput('certificateNumberPattern', `settings_${pattern.problem}`, PATTERN_TOKENS);
	const logo =
		input.logo && input.logo.byteLength > 0
			? checkedLogo(input.logo)
			: input.removeLogo
				? null
				: undefined;
	const change: TenantSettingsChange = {
		name: input.name,
		name_en: input.nameEn,
		slug: input.slug,
		time_zone: input.timeZone,
		default_locale: input.defaultLocale,
		certificate_number_pattern: input.certificateNumberPattern.trim(),
		mail_sender_name: input.mailSenderName,
		accreditation_body: input.accreditationBody,
		logo
	};
	return db
		.inTenant(scopeOf(actor), async (tx) => {
			const before = await findTenantSettings(tx, actor.tenantId);
			if (!before) throw notFound();
			if (!(await updateTenantSettings(tx, actor.tenantId, input.version, change)))
				throw staleVersion();
			const { logo: _logo, ...after } = change;
			const { logo_bytes, logo_type, settings_version, ...was } = before;
			await auditAs(tx, actor, 'tenant.settings_update', 'tenant', actor.tenantId, {
				before: { ...was, logo: logo_type ? { type: logo_type, bytes: logo_bytes } : null },
				after: {
					...after,
					logo:
						logo === undefined
							? was && logo_type
								? { type: logo_type, bytes: logo_bytes }
								: null
							: logo && { type: logo.type, bytes: logo.bytes.byteLength }
				}
			});
			return { version: settings_version + 1 };
		})
		.catch(
			refuseUniqueViolations({
				tenants_slug_key: () => badInput('slug', 'settings_error_slug_taken')
			})
		);
}

/** The body's logo for its signed-in pages (and, later, its PDFs); null when it has none. */
export async function tenantLogo(db: AppDatabase, actor: Actor) {
	const row = await db.inTenant(scopeOf(actor), (tx) => findTenantLogo(tx, actor.tenantId));
	if (!row?.logo || !row.logo_type) return null;
	return { bytes: row.logo, type: row.logo_type, version: row.settings_version };
}
