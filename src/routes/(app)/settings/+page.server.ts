import type { Actions, PageServerLoad } from './$types';
import { pageLoad } from '$lib/server/pages';
import { requireActor } from '$lib/server/guards';
import { runtimeApp } from '$lib/server/runtime';
import { parseForm, readForm, refusalFailure } from '$lib/server/forms';
import { fail } from '@sveltejs/kit';
import { todayInZone } from '$lib/server/domain/calendar';
import {
	getTenantSettings,
	LOGO_MAX_BYTES,
	PATTERN_TOKENS,
	patternPreview,
	saveTenantSettings,
	SAMPLE_STANDARD
} from '$lib/server/services/tenant-settings';
import { tenantSettingsInput } from '$lib/server/services/tenant-settings.schema';

export const load = pageLoad('tenant.settings', async ({ db, actor }) => {
	const settings = await getTenantSettings(db, actor);
	const today = todayInZone(new Date(), settings.time_zone);
	return {
		settings: {
			version: settings.settings_version,
			name: settings.name,
			nameEn: settings.name_en,
			slug: settings.slug,
			timeZone: settings.time_zone,
			defaultLocale: settings.default_locale,
			certificateNumberPattern: settings.certificate_number_pattern,
			mailSenderName: settings.mail_sender_name,
			accreditationBody: settings.accreditation_body,
			hasLogo: settings.logo_type !== null
		},
		preview: patternPreview(settings.certificate_number_pattern, today),
		sampleStandard: SAMPLE_STANDARD,
		timeZones: ['UTC', ...Intl.supportedValuesOf('timeZone').filter((zone) => zone !== 'UTC')],
		logoMaxKb: LOGO_MAX_BYTES / 1024,
		tokens: PATTERN_TOKENS
	};
}) satisfies PageServerLoad;

export const actions: Actions = {
	/*
	 * A multipart form: the fields go through the settings schema as every form's do, the logo
	 * file (left out of the schema's input) through the service's byte check.
	 */
	save: async (event) => {
		const actor = requireActor(event.locals, 'tenant.settings');
		const app = await runtimeApp();
		const locale = event.locals.locale;
		const request = event.request;
		const data = await readForm(request.clone());
		const parsed = await parseForm(request, tenantSettingsInput, locale);
		if (!parsed.ok) return parsed.failure;
		const file = data?.get('logo');
		const logo =
			file instanceof File && file.size > 0 ? new Uint8Array(await file.arrayBuffer()) : undefined;
		try {
			const saved = await saveTenantSettings(app.db, actor, { ...parsed.data, logo });
			return {
				saved: true as const,
				version: saved.version,
				preview: patternPreview(
					parsed.data.certificateNumberPattern,
					todayInZone(new Date(), parsed.data.timeZone)
				)
			};
		} catch (cause) {
			return refusalFailure(cause, locale, parsed.values, {
				params: { kb: LOGO_MAX_BYTES / 1024 }
			});
		}
	},
	/** The number the pattern gives, before saving (the page's "preview" button). */
	preview: async (event) => {
		const actor = requireActor(event.locals, 'tenant.settings');
		const data = await readForm(event.request);
		const pattern = String(data?.get('certificateNumberPattern') ?? '');
		const preview = patternPreview(pattern, todayInZone(new Date(), actor.tenant.timeZone));
		if (!preview) return fail(400, { previewFailed: true as const, pattern });
		return { previewOf: pattern, preview };
	}
};
