import { error, fail, type RequestEvent } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { requireActor } from '$lib/server/guards';
import type { Actor } from '$lib/server/actor';
import type { AppDatabase } from '$lib/server/db/tenant-scope';
import { isOrgUser } from '$lib/server/domain/roles';
import { Refusal } from '$lib/server/errors';
import { translate } from '$lib/server/i18n/translate';
import { getFindingDetail } from '$lib/server/services/finding-detail';
import { changeFindingDueDate } from '$lib/server/services/findings';
import { id, requiredText, version } from '$lib/server/trpc/inputs';
import {
	reviewEvidence,
	reviewResponse,
	setFollowUpCheck,
	submitEvidence,
	submitResponse
} from '$lib/server/services/finding-workflow';
import {
	followUpInput,
	responseInput,
	reviewEvidenceInput,
	reviewResponseInput,
	submitEvidenceInput
} from '$lib/server/trpc/routers/workflow';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const load: PageServerLoad = async ({ locals, params }) => {
	const actor = requireActor(locals);
	if (!UUID.test(params.id)) error(404, translate('error_not_found', locals.locale));
	const { db, config } = await runtimeApp();
	try {
		const detail = await getFindingDetail(db, actor, params.id);
		const finding = detail.finding;
		return {
			detail,
			organisationSide: isOrgUser(actor.role),
			evidenceMaxBytes: config.evidenceMaxBytes,
			// The due date moves only with a recorded reason, by the body, while the finding is open.
			mayChangeDue:
				(actor.role === 'admin' || actor.role === 'evaluator') &&
				finding.kind === 'nonconformity' &&
				finding.status !== 'closed'
		};
	} catch (cause) {
		if (cause instanceof Refusal) error(404, translate(cause.messageKey, locals.locale));
		throw cause;
	}
};

const STATUS_OF_REFUSAL = {
	BAD_REQUEST: 400,
	UNAUTHORIZED: 401,
	FORBIDDEN: 403,
	NOT_FOUND: 404,
	CONFLICT: 409
};

/**
 * One step of the life cycle from a form: the typed values come back on any error, with each
 * message on its field ('_' for the form as a whole) and `stale` when the page must be reloaded.
 */
async function step<Schema extends z.ZodType>(
	event: RequestEvent<{ id: string }>,
	form: string,
	fields: readonly string[],
	schema: Schema,
	run: (db: AppDatabase, actor: Actor, input: z.output<Schema>) => Promise<unknown>
) {
	const { locals, params, request } = event;
	const actor = requireActor(locals);
	const data = await request.formData();
	const values = Object.fromEntries(fields.map((field) => [field, String(data.get(field) ?? '')]));
	const parsed = schema.safeParse({
		...values,
		findingId: params.id,
		version: Number(data.get('version'))
	});
	if (!parsed.success) {
		const errors: Record<string, string> = {};
		for (const issue of parsed.error.issues) {
			const field = String(issue.path[0] ?? '_');
			errors[fields.includes(field) ? field : '_'] ??= translate(issue.message, locals.locale);
		}
		return fail(400, { form, values, errors, stale: false });
	}
	try {
		await run((await runtimeApp()).db, actor, parsed.data);
	} catch (cause) {
		if (!(cause instanceof Refusal)) throw cause;
		const message = translate(cause.messageKey, locals.locale, cause.params);
		const field = cause.field && fields.includes(cause.field) ? cause.field : '_';
		return fail(STATUS_OF_REFUSAL[cause.kind], {
			form,
			values,
			errors: { [field]: message },
			stale: cause.messageKey === 'error_stale_version'
		});
	}
	return { form, done: true };
}

const dueChangeInput = z.object({
	findingId: id,
	version,
	dueOn: z.string().trim().min(1, { error: 'error_required' }),
	reason: requiredText(1000)
});

export const actions: Actions = {
	respond: (event) =>
		step(
			event,
			'respond',
			['correction', 'rootCause', 'correctiveAction', 'owner', 'targetOn'],
			responseInput,
			submitResponse
		),
	reviewResponse: (event) =>
		step(event, 'reviewResponse', ['verdict', 'comment'], reviewResponseInput, reviewResponse),
	submitEvidence: (event) =>
		step(event, 'submitEvidence', ['note'], submitEvidenceInput, submitEvidence),
	reviewEvidence: (event) =>
		step(event, 'reviewEvidence', ['verdict', 'comment'], reviewEvidenceInput, reviewEvidence),
	changeDue: (event) =>
		step(event, 'changeDue', ['dueOn', 'reason'], dueChangeInput, (db, actor, input) =>
			changeFindingDueDate(db, actor, input.findingId, input.version, {
				dueOn: input.dueOn,
				reason: input.reason
			})
		),
	followUp: (event) =>
		step(event, 'followUp', ['followUpOn'], followUpInput, (db, actor, input) =>
			setFollowUpCheck(db, actor, input)
		)
};
