import { capabilityProcedure, router } from '../init';
import { getTenantSettings, saveTenantSettings } from '../../services/tenant-settings';
import { tenantSettingsInput } from '../../services/tenant-settings.schema';

/*
 * The body's settings (issue 12 item 8), as the /settings page's form keeps them: the same schema
 * and service. The logo is a file the page uploads; here it is only kept or removed.
 */
export const settingsRouter = router({
	get: capabilityProcedure('tenant.settings').query(async ({ ctx }) => {
		const row = await getTenantSettings(ctx.app.db, ctx.actor);
		return {
			version: row.settings_version,
			name: row.name,
			nameEn: row.name_en,
			slug: row.slug,
			timeZone: row.time_zone,
			defaultLocale: row.default_locale,
			certificateNumberPattern: row.certificate_number_pattern,
			mailSenderName: row.mail_sender_name,
			accreditationBody: row.accreditation_body,
			hasLogo: row.logo_type !== null
		};
	}),

	update: capabilityProcedure('tenant.settings')
		.input(tenantSettingsInput)
		.mutation(({ ctx, input }) => saveTenantSettings(ctx.app.db, ctx.actor, input))
});
