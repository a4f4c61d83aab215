import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { m } from '$lib/paraglide/messages';
import { runtimeApp } from '$lib/server/runtime';
import { limitPublicPage, publicRefusal } from '$lib/server/http/public-limit';
import { parseForm, refusalFailure } from '$lib/server/forms';
import { publicBody } from '$lib/server/services/verification';
import { complaintStatus } from '$lib/server/services/complaints';
import { complaintStatusInput } from '$lib/server/services/complaints.schema';
import { translate } from '$lib/server/i18n/translate';

/*
 * The complainant's status page (issue 13 item 4): reference and email in, the status and the
 * day of each step out — nothing the body wrote. Posted, not a query string, so the email stays
 * out of addresses and logs; counted by the public pages' per-address limit.
 */

export const load: PageServerLoad = async (event) => {
	const app = await runtimeApp();
	await limitPublicPage(app, event);
	const body = await publicBody(app.db, event.params.slug);
	if (!body) error(404, m.verify_body_missing());
	return { body, reference: (event.url.searchParams.get('reference') ?? '').slice(0, 20) };
};

export const actions: Actions = {
	default: async (event) => {
		const app = await runtimeApp();
		const locale = event.locals.locale;
		const parsed = await parseForm(event.request, complaintStatusInput, locale);
		if (!parsed.ok) return parsed.failure;
		const refusal = await publicRefusal(app, event);
		if (refusal) {
			event.setHeaders({ 'retry-after': String(refusal.seconds) });
			return fail(429, { values: parsed.values, errors: { _: refusal.message }, stale: false });
		}
		try {
			const status = await complaintStatus(app.db, event.params.slug, parsed.data);
			if (!status) {
				const body = await publicBody(app.db, event.params.slug);
				return fail(404, {
					values: parsed.values,
					errors: {
						_: translate('complaints_status_not_found', locale, { body: body?.name ?? '' })
					},
					stale: false
				});
			}
			return { status, values: parsed.values };
		} catch (cause) {
			return refusalFailure(cause, locale, parsed.values);
		}
	}
};
