import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import { Refusal } from '$lib/server/errors';
import { translate } from '$lib/server/i18n/translate';
import { getDecisionOptions, takeDecision } from '$lib/server/services/decisions';
import { decisionInput } from '$lib/server/trpc/routers/decisions';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const load: PageServerLoad = async ({ locals, params }) => {
	const actor = requireActor(locals, 'decision_maker');
	if (!UUID.test(params.id)) error(404, translate('error_not_found', locals.locale));
	const { db } = await runtimeApp();
	try {
		return { options: await getDecisionOptions(db, actor, params.id) };
	} catch (cause) {
		if (cause instanceof Refusal)
			error(cause.kind === 'FORBIDDEN' ? 403 : 404, translate(cause.messageKey, locals.locale));
		throw cause;
	}
};

const FIELDS = ['evaluationId', 'kind', 'reason', 'newGradeLevelId', 'newScope'] as const;
const STATUS_OF_REFUSAL = {
	BAD_REQUEST: 400,
	UNAUTHORIZED: 401,
	FORBIDDEN: 403,
	NOT_FOUND: 404,
	CONFLICT: 409
};

export const actions: Actions = {
	decide: async ({ locals, params, request }) => {
		const actor = requireActor(locals, 'decision_maker');
		const data = await request.formData();
		const values = Object.fromEntries(FIELDS.map((f) => [f, String(data.get(f) ?? '')]));
		const parsed = decisionInput.safeParse({
			...values,
			certificateId: params.id,
			version: Number(data.get('version'))
		});
		const fields: readonly string[] = FIELDS;
		if (!parsed.success) {
			const errors: Record<string, string> = {};
			for (const issue of parsed.error.issues) {
				const field = String(issue.path[0] ?? '_');
				errors[fields.includes(field) ? field : '_'] ??= translate(issue.message, locals.locale);
			}
			return fail(400, { values, errors, stale: false });
		}
		const input = parsed.data;
		try {
			await takeDecision((await runtimeApp()).db, actor, {
				certificateId: params.id,
				version: input.version,
				evaluationId: input.evaluationId || null,
				kind: input.kind,
				reason: input.reason,
				newGradeLevelId: input.newGradeLevelId || null,
				newScope: input.newScope ?? null
			});
		} catch (cause) {
			if (!(cause instanceof Refusal)) throw cause;
			const message = translate(cause.messageKey, locals.locale, cause.params);
			const field = cause.field && fields.includes(cause.field) ? cause.field : '_';
			return fail(STATUS_OF_REFUSAL[cause.kind], {
				values,
				errors: { [field]: message },
				stale: cause.messageKey === 'error_stale_version'
			});
		}
		redirect(303, `/certificates/${params.id}`);
	}
};
