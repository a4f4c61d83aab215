import { z } from 'zod';
import { checkbox, requiredText, text, version } from './common.schema';

/*
 * The body's settings form (issue 12 item 8) and the `settings.update` procedure alike. The logo file is not
 * a form field here: the action reads it from the multipart body and the service checks its bytes.
 */

/** A /verify address segment, as the tenants table's check says (lower case, digits, hyphens). */
export const SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;

export const tenantSettingsInput = z.object({
	version,
	name: requiredText(200),
	nameEn: text(200),
	slug: z
		.string({ error: 'settings_error_slug' })
		.transform((value) => value.trim().toLowerCase())
		.pipe(z.string().regex(SLUG, { error: 'settings_error_slug' })),
	timeZone: z.string({ error: 'settings_error_time_zone' }).max(100, { error: 'error_too_long' }),
	defaultLocale: z.enum(['zh-CN', 'en'], { error: 'settings_error_locale' }),
	certificateNumberPattern: z
		.string({ error: 'settings_pattern_empty' })
		.max(200, { error: 'settings_pattern_length' }),
	mailSenderName: text(100),
	/** The registry exports' accreditation body (e.g. CNAS); '' when the body is not accredited. */
	accreditationBody: text(100),
	removeLogo: checkbox.optional()
});
